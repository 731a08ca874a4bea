import { statusOf } from "../../../domain/testReport.ts"
import type { CheckResult } from "../../../domain/validation.ts"
import { outputExcerpt } from "../../../execution/testRun.ts"
import { fail, listSome, pass, reportOf, skip, type ValidationFacts } from "../facts.ts"

/**
 * Check 3: on the original code the parsed result has MORE than min_passing_tests tests, all passing, and
 * the same status for every test in two runs (a test that differs is flaky) [ours].
 */
export const checkScriptValid = (facts: ValidationFacts, parserValid: CheckResult): CheckResult => {
  if (facts.artifact.missing.includes("testScript")) return fail("script-valid", "test_script.sh is missing")
  if (parserValid.status !== "passed") return skip("script-valid", "needs a valid parser")
  for (const [i, run] of facts.baseline.entries()) {
    if (run.script.timedOut) {
      return fail("script-valid", `test_script.sh timed out on the original code (run ${i + 1}, ${(run.script.ms / 1000).toFixed(1)}s)`, {
        excerpt: outputExcerpt(run)
      })
    }
    if (run.script.outputCapped) {
      return fail("script-valid", `test_script.sh output exceeded the cap (${run.script.outputBytes} bytes, run ${i + 1})`, {
        excerpt: outputExcerpt(run)
      })
    }
    if (!run.parse.ok) return fail("script-valid", `parser failed on baseline run ${i + 1}: ${run.parse.reason}`)
  }
  const [first, second] = [reportOf(facts, facts.baseline[0]), reportOf(facts, facts.baseline[1])]
  if (first === undefined || second === undefined) return fail("script-valid", "the baseline did not run twice")
  const ids = [...new Set([...Object.keys(first), ...Object.keys(second)])].sort()
  const flaky = ids.filter((id) => statusOf(first, id) !== statusOf(second, id))
  if (flaky.length > 0) {
    return fail("script-valid", `${flaky.length} flaky test(s): status differs between two runs on the original code: ${listSome(flaky)}`, {
      tests: flaky,
      details: Object.fromEntries(flaky.slice(0, 50).map((id) => [id, [statusOf(first, id), statusOf(second, id)]]))
    })
  }
  const total = Object.keys(first).length
  const failing = ids.filter((id) => first[id] === "failed")
  const min = facts.thresholds.minPassingTests
  if (total <= min) {
    return fail("script-valid", `the script reports ${total} test(s); more than ${min} are required`, { counts: { total } })
  }
  if (failing.length > 0) {
    return fail("script-valid", `${failing.length} test(s) fail on the original code: ${listSome(failing)}`, {
      tests: failing,
      excerpt: outputExcerpt(facts.baseline[0]!)
    })
  }
  return pass("script-valid", `${total} tests, all passing, identical in two runs`, { counts: { total } })
}
