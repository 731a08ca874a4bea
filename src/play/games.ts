import { existsSync, promises as fs } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import * as z from "zod"
import { UsageError } from "../domain/errors.ts"
import { GameConfig } from "../domain/game.ts"

export const BUNDLED_GAMES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../games")

/** `--game` accepts a path to a JSON file or a name in ./games, then in the engine's own games/. */
export const loadGame = Effect.fn("loadGame")(function*(spec: string) {
  const candidates = spec.endsWith(".json") || spec.includes("/")
    ? [resolve(spec)]
    : [resolve("games", `${spec}.json`), join(BUNDLED_GAMES_DIR, `${spec}.json`)]
  const file = candidates.find((c) => existsSync(c))
  if (file === undefined) return yield* new UsageError({ message: `game not found: ${spec} (a path to a JSON file, or a name in ${BUNDLED_GAMES_DIR})` })
  const text = yield* Effect.tryPromise({ try: () => fs.readFile(file, "utf8"), catch: () => new UsageError({ message: `cannot read game ${file}` }) })
  const json = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: (e) => new UsageError({ message: `game ${file} is not JSON: ${(e as Error).message}` }) })
  const parsed = GameConfig.safeParse(json)
  if (!parsed.success) return yield* new UsageError({ message: `invalid game ${file}:\n${z.prettifyError(parsed.error)}` })
  return parsed.data
})
