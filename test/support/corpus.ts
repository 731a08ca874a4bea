import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import type { CheckName } from "../../src/domain/validation.ts"

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..")
export const ARTIFACTS_DIR = join(PROJECT_ROOT, "test/fixtures/artifacts")

export interface ExpectedVerdict {
  readonly valid: boolean
  readonly firstFailedCheck: CheckName | null
  readonly reasonIncludes: string | null
  readonly note: string
  readonly hostile?: string
}

export interface CorpusCase {
  readonly profile: string
  readonly name: string
  readonly dir: string
  readonly expected: ExpectedVerdict
}

/** Every artifact of the corpus for one profile, with its expected verdict (test/fixtures/README.md). */
export const corpusCases = (profile: string): Array<CorpusCase> => {
  const root = join(ARTIFACTS_DIR, profile)
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "expected.json")))
    .map((d) => ({
      profile,
      name: d.name,
      dir: join(root, d.name),
      expected: JSON.parse(readFileSync(join(root, d.name, "expected.json"), "utf8")) as ExpectedVerdict
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export const profilePath = (profile: string) => join(PROJECT_ROOT, "repos", `${profile}.json`)
