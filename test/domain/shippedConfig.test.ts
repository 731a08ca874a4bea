import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { GameConfig } from "../../src/domain/game.ts"
import { RepoProfile } from "../../src/domain/profile.ts"
import { PROJECT_ROOT } from "../support/corpus.ts"

const jsonFiles = (dir: string) => readdirSync(join(PROJECT_ROOT, dir)).filter((f) => f.endsWith(".json")).map((f) => join(PROJECT_ROOT, dir, f))

describe("shipped data decodes with the engine's schemas", () => {
  it.each(jsonFiles("games"))("game %s", (file) => {
    const parsed = GameConfig.safeParse(JSON.parse(readFileSync(file, "utf8")))
    expect(parsed.success, parsed.success ? "" : parsed.error.message).toBe(true)
  })

  it.each(jsonFiles("repos"))("profile %s", (file) => {
    const parsed = RepoProfile.safeParse(JSON.parse(readFileSync(file, "utf8")))
    expect(parsed.success, parsed.success ? "" : parsed.error.message).toBe(true)
  })

  it("the four games the issue names exist, with the paper's defaults in ssr", () => {
    const names = jsonFiles("games").map((f) => GameConfig.parse(JSON.parse(readFileSync(f, "utf8"))).name).sort()
    expect(names).toEqual(["direct", "history", "removal", "ssr"])
    const ssr = GameConfig.parse(JSON.parse(readFileSync(join(PROJECT_ROOT, "games/ssr.json"), "utf8")))
    expect(ssr.alpha).toBe(0.8)
    expect(ssr.groupSize).toBe(8)
    expect(ssr.maxOrder).toBe(2)
    expect(Object.keys(ssr.strategies).sort()).toEqual(["history", "removal"])
  })
})
