import type { CheckResult } from "../../../domain/validation.ts"
import { outputExcerpt } from "../../../execution/testRun.ts"
import { baselinePassing, fail, listSome, pass, reportOf, skip, type ValidationFacts, withStatus } from "../facts.ts"

export interface BugRealVerdict {
  readonly check: CheckResult
  /** F: tests that passed on the original and fail with the bug (empty unless the check passed). */
  readonly failing: ReadonlyArray<string>
}

/**
 * Check 5: with the bug, at least min_failing_tests tests that passed on the original now FAIL (a missing test
 * is not a failure). The bug runs twice [ours]: F must be the same both times.
 */
export const checkBugReal = (facts: ValidationFacts, scriptValid: CheckResult): BugRealVerdict => {
  const none = (check: CheckResult) => ({ check, failing: [] })
  if (scriptValid.status !== "passed") return none(skip("bug-real", "needs a valid baseline"))
  if (facts.artifact.missing.includes("bugInject") || !facts.bugDiff.ok) return none(skip("bug-real", "bug_inject.diff is unusable"))
  const passing = baselinePassing(facts)
  const sets: Array<ReadonlyArray<string>> = []
  let missing: ReadonlyArray<string> = []
  for (const [i, state] of facts.bugRuns.entries()) {
    if (!state.setup.ok) return none(fail("bug-real", `bug_inject.diff does not apply: ${state.setup.reason}`))
    const report = reportOf(facts, state.run)
    if (report === undefined) {
      const reason = state.run?.parse.ok === false ? state.run.parse.reason : "no run"
      return none(fail("bug-real", `parser failed on the buggy code (run ${i + 1}): ${reason}`, state.run ? { excerpt: outputExcerpt(state.run) } : {}))
    }
    sets.push(withStatus(report, passing, "failed"))
    if (i === 0) missing = withStatus(report, passing, "missing")
  }
  const first = sets[0] ?? []
  for (const other of sets.slice(1)) {
    const differ = [...first.filter((id) => !other.includes(id)), ...other.filter((id) => !first.includes(id))]
    if (differ.length > 0) {
      return none(fail("bug-real", `the failing set is not reproducible: ${differ.length} test(s) differ between two runs with the bug: ${listSome(differ)}`, {
        tests: differ
      }))
    }
  }
  const min = facts.thresholds.minFailingTests
  if (first.length < min) {
    const note = missing.length > 0 ? `; ${missing.length} went missing, which does not count as failing` : ""
    return none(fail("bug-real", `${first.length} test(s) that passed on the original fail with the bug; at least ${min} required${note}`, {
      tests: [...missing],
      counts: { failing: first.length, missing: missing.length }
    }))
  }
  return {
    check: pass("bug-real", `${first.length} test(s) fail with the bug (F)${missing.length > 0 ? `, ${missing.length} went missing` : ""}`, {
      tests: [...first],
      counts: { failing: first.length, missing: missing.length }
    }),
    failing: first
  }
}
