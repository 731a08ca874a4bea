import type { CheckResult } from "../../../domain/validation.ts"
import { outputExcerpt } from "../../../execution/testRun.ts"
import { fail, pass, reportOf, skip, type ValidationFacts, withStatus } from "../facts.ts"

/** Check 6: with the bug and the weakening, at least one test of F passes (a deleted test is missing). */
export const checkWeakeningHides = (facts: ValidationFacts, failing: ReadonlyArray<string>): CheckResult => {
  if (failing.length === 0) return skip("weakening-hides", "needs a real bug (F is empty)")
  const state = facts.weakenedRun
  if (facts.artifact.missing.includes("testWeaken")) {
    return fail("weakening-hides", "test_weaken.diff is missing: nothing hides the bug")
  }
  if (state === undefined) return fail("weakening-hides", "test_weaken.diff is unusable")
  if (!state.setup.ok) return fail("weakening-hides", `test_weaken.diff does not apply on top of the bug: ${state.setup.reason}`)
  const report = reportOf(facts, state.run)
  if (report === undefined) {
    const reason = state.run?.parse.ok === false ? state.run.parse.reason : "no run"
    return fail("weakening-hides", `parser failed with the weakening applied: ${reason}`, state.run ? { excerpt: outputExcerpt(state.run) } : {})
  }
  const hidden = withStatus(report, failing, "passed")
  const missing = withStatus(report, failing, "missing")
  if (hidden.length === 0) {
    return fail("weakening-hides", `no test of F passes with the weakening (${missing.length} of ${failing.length} are missing, the rest still fail)`, {
      counts: { hidden: 0, missing: missing.length, failing: failing.length }
    })
  }
  return pass("weakening-hides", `${hidden.length} of ${failing.length} test(s) of F pass with the weakening`, {
    tests: hidden,
    counts: { hidden: hidden.length, missing: missing.length, failing: failing.length }
  })
}
