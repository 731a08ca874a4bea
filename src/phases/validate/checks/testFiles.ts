import type { CheckResult } from "../../../domain/validation.ts"
import { touchedFiles } from "../../../diff/index.ts"
import { fail, listSome, pass, type ValidationFacts } from "../facts.ts"

/** A listed path exists when it is a tracked file or a directory holding tracked files. */
export const existsInOriginal = (tracked: ReadonlySet<string>, path: string): boolean => {
  if (tracked.has(path)) return true
  const prefix = path.replace(/\/+$/, "") + "/"
  for (const file of tracked) if (file.startsWith(prefix)) return true
  return false
}

const isListed = (listed: ReadonlyArray<string>, path: string) =>
  listed.some((entry) => entry === path || path.startsWith(entry.replace(/\/+$/, "") + "/"))

/** Check 1: every listed test file exists in the original repo, and the weakening touches only listed files. */
export const checkTestFiles = (facts: ValidationFacts): CheckResult => {
  const { artifact } = facts
  if (artifact.missing.includes("testFiles")) return fail("test-files", "test_files.txt is missing")
  const listed = artifact.testFiles
  if (listed.length === 0) return fail("test-files", "test_files.txt lists no files")
  const absent = listed.filter((path) => !existsInOriginal(facts.tracked, path))
  if (absent.length > 0) {
    return fail("test-files", `${absent.length} listed test file(s) do not exist in the original repo: ${listSome(absent)}`, {
      files: absent
    })
  }
  if (!facts.weakenDiff.ok) return fail("test-files", `test_weaken.diff is not a usable diff: ${facts.weakenDiff.reason}`)
  const weakened = touchedFiles(facts.weakenDiff.files)
  const unlisted = weakened.filter((path) => !isListed(listed, path))
  if (unlisted.length > 0) {
    return fail("test-files", `test_weaken.diff touches ${unlisted.length} file(s) not listed in test_files.txt: ${listSome(unlisted)}`, {
      files: unlisted
    })
  }
  return pass("test-files", `${listed.length} test file(s) exist; the weakening touches only listed files`, {
    files: [...listed],
    counts: { listed: listed.length, weakened: weakened.length }
  })
}
