import picomatch from "picomatch"
import type { FilePatch } from "./parse.ts"

export type FileKind = "test" | "code"

export interface TestFileRules {
  /** Paths from the artifact's `test_files.txt` (repository-relative; a leading `./` is ignored). */
  readonly testFiles: ReadonlyArray<string>
  /** Globs from the repository profile, relative to the repository root; DEFAULT_TEST_GLOBS when it gives none. */
  readonly testGlobs: ReadonlyArray<string>
}

/** Test-file conventions of JavaScript/TypeScript and Python projects, for profiles that name no globs. */
export const DEFAULT_TEST_GLOBS: ReadonlyArray<string> = [
  "test/**",
  "tests/**",
  "spec/**",
  "**/test/**",
  "**/tests/**",
  "**/__tests__/**",
  "**/__mocks__/**",
  "**/__snapshots__/**",
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "**/test_*.py",
  "**/conftest.py",
  "**/test.{js,cjs,mjs,ts,cts,mts,jsx,tsx,py}",
  "**/tests.py"
]

/**
 * Every path a set of file patches touches: old and new paths alike (a rename touches both), sorted, without
 * duplicates.
 */
export const touchedFiles = (files: ReadonlyArray<FilePatch>): Array<string> => {
  const paths = new Set<string>()
  for (const file of files) {
    if (file.oldPath !== null) paths.add(file.oldPath)
    if (file.newPath !== null) paths.add(file.newPath)
  }
  return [...paths].sort()
}

const withoutDotSlash = (path: string): string => path.replace(/^(\.\/)+/, "")

/**
 * Compiles the rules once: a path is a test when `testFiles` lists it or any glob matches it (picomatch, `dot: true`,
 * so dot-directories and dot-files match `*` and `**`). Globs with an empty list fall back to nothing, not to the
 * defaults: pass DEFAULT_TEST_GLOBS explicitly.
 */
export const makeFileClassifier = (rules: TestFileRules): ((path: string) => FileKind) => {
  const listed = new Set(rules.testFiles.map(withoutDotSlash))
  const matches = rules.testGlobs.length === 0 ? () => false : picomatch([...rules.testGlobs], { dot: true })
  return (path) => {
    const clean = withoutDotSlash(path)
    return listed.has(clean) || matches(clean) ? "test" : "code"
  }
}

/** Convenience for one path; use makeFileClassifier to classify many. */
export const classifyFile = (path: string, rules: TestFileRules): FileKind => makeFileClassifier(rules)(path)
