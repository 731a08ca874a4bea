import type { CheckResult } from "../../../domain/validation.ts"
import { countReport } from "../../../domain/testReport.ts"
import { outputExcerpt } from "../../../execution/testRun.ts"
import { fail, pass, skip, type ValidationFacts } from "../facts.ts"

/** Check 2: on real output of the script, the parser exits 0 and prints an object of passed/failed. */
export const checkParserValid = (facts: ValidationFacts): CheckResult => {
  if (facts.artifact.missing.includes("testParser")) return fail("parser-valid", "test_parser.py is missing")
  const first = facts.baseline[0]
  if (first === undefined) return skip("parser-valid", "no script output to parse (test_script.sh is missing)")
  if (!first.parse.ok) {
    return fail("parser-valid", first.parse.reason, { excerpt: outputExcerpt(first) })
  }
  const counts = countReport(first.parse.report)
  return pass("parser-valid", `parser printed ${counts.total} result(s) (${counts.passed} passed, ${counts.failed} failed)`, {
    counts: { ...counts }
  })
}
