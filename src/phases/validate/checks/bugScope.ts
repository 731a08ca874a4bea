import type { CheckResult } from "../../../domain/validation.ts"
import { touchedFiles } from "../../../diff/index.ts"
import { fail, listSome, pass, type ValidationFacts } from "../facts.ts"

/**
 * Check 4: the bug changes at least min_changed_files code files and no test file (listed in test_files.txt
 * or classified as a test by the profile's globs [ours]); the weakening touches only test files.
 */
export const checkBugScope = (facts: ValidationFacts): CheckResult => {
  const { artifact } = facts
  if (artifact.missing.includes("bugInject")) return fail("bug-scope", "bug_inject.diff is missing")
  if (!facts.bugDiff.ok) return fail("bug-scope", `bug_inject.diff is not a usable diff: ${facts.bugDiff.reason}`)
  const bugPaths = touchedFiles(facts.bugDiff.files)
  const listed = new Set(artifact.testFiles)
  const listedHit = bugPaths.filter((p) => listed.has(p))
  if (listedHit.length > 0) {
    return fail("bug-scope", `bug_inject.diff touches file(s) listed in test_files.txt: ${listSome(listedHit)}`, { files: listedHit })
  }
  const testHit = bugPaths.filter((p) => facts.classify(p) === "test")
  if (testHit.length > 0) {
    return fail("bug-scope", `bug_inject.diff touches test file(s): ${listSome(testHit)}`, { files: testHit })
  }
  const codeFiles = bugPaths
  if (codeFiles.length < facts.thresholds.minChangedFiles) {
    return fail("bug-scope", `bug_inject.diff changes ${codeFiles.length} code file(s); at least ${facts.thresholds.minChangedFiles} required`, {
      files: codeFiles
    })
  }
  if (facts.weakenDiff.ok) {
    const nonTest = touchedFiles(facts.weakenDiff.files).filter((p) => facts.classify(p) !== "test")
    if (nonTest.length > 0) {
      return fail("bug-scope", `test_weaken.diff touches non-test file(s): ${listSome(nonTest)}`, { files: nonTest })
    }
  }
  return pass("bug-scope", `the bug changes ${codeFiles.length} code file(s) and no test file`, { files: codeFiles })
}
