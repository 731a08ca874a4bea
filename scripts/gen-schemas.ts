/**
 * Generates the JSON Schemas in schemas/ from the zod schemas in src (the single source of truth).
 * `--check` fails when a committed schema is stale (CI runs it as part of `npm test`).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import * as z from "zod"
import { ArtifactMetadata } from "../src/domain/artifact.ts"
import { BugTaskRecord, EpisodeRecord, ExperienceRecord } from "../src/domain/experience.ts"
import { GameConfig } from "../src/domain/game.ts"
import { RepoProfile } from "../src/domain/profile.ts"
import { RunConfig } from "../src/play/runConfig.ts"
import { TestReport } from "../src/domain/testReport.ts"
import { Trajectory } from "../src/domain/trajectory.ts"
import { AuditReport, ValidationReport } from "../src/domain/validation.ts"

const OUT = resolve(import.meta.dirname, "../schemas")

const schemas: Record<string, z.ZodType> = {
  "artifact-metadata": ArtifactMetadata,
  "test-report": TestReport,
  "validation-report": ValidationReport,
  "audit-report": AuditReport,
  "repo-profile": RepoProfile,
  "episode-record": EpisodeRecord,
  "bug-task-record": BugTaskRecord,
  "experience-record": ExperienceRecord,
  trajectory: Trajectory,
  "game-config": GameConfig,
  "run-config": RunConfig
}

const render = (schema: z.ZodType) => JSON.stringify(z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }), null, 2) + "\n"

const check = process.argv.includes("--check")
const stale: Array<string> = []
if (!check) mkdirSync(OUT, { recursive: true })
for (const [name, schema] of Object.entries(schemas)) {
  const file = join(OUT, `${name}.schema.json`)
  const text = render(schema)
  if (check) {
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) stale.push(file)
  } else {
    writeFileSync(file, text)
  }
}
const expected = new Set(Object.keys(schemas).map((n) => `${n}.schema.json`))
const orphans = existsSync(OUT) ? readdirSync(OUT).filter((f) => f.endsWith(".schema.json") && !expected.has(f)) : []
if (check) {
  if (stale.length > 0 || orphans.length > 0) {
    console.error(`schemas/ is stale; run \`npm run schemas\`:\n${[...stale, ...orphans.map((o) => join(OUT, o))].map((f) => `  ${f}`).join("\n")}`)
    process.exit(1)
  }
  console.log(`schemas/ is up to date (${expected.size} schemas)`)
} else {
  console.log(`wrote ${expected.size} schemas to ${OUT}${orphans.length > 0 ? `; orphans: ${orphans.join(", ")}` : ""}`)
}
