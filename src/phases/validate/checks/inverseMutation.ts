import type { CheckResult, InverseContribution } from "../../../domain/validation.ts"
import { fail, listSome, pass, reportOf, skip, type ValidationFacts, withStatus } from "../facts.ts"

export interface InverseVerdict {
  readonly check: CheckResult
  readonly contributions: ReadonlyArray<InverseContribution>
}

/**
 * Check 7: for each file the bug changes, restoring only that file (original tests) must turn at least one
 * test of F back to passing; otherwise the file is not needed for the bug.
 */
export const checkInverseMutation = (facts: ValidationFacts, failing: ReadonlyArray<string>): InverseVerdict => {
  if (failing.length === 0) return { check: skip("inverse-mutation", "needs a real bug (F is empty)"), contributions: [] }
  const contributions: Array<InverseContribution> = []
  for (const { file, state } of facts.inverseRuns) {
    if (!state.setup.ok) {
      return { check: fail("inverse-mutation", `could not restore ${file}: ${state.setup.reason}`, { files: [file] }), contributions }
    }
    const report = reportOf(facts, state.run)
    if (report === undefined) {
      const reason = state.run?.parse.ok === false ? state.run.parse.reason : "no run"
      return { check: fail("inverse-mutation", `parser failed with ${file} restored: ${reason}`, { files: [file] }), contributions }
    }
    const restoredToPass = withStatus(report, failing, "passed")
    contributions.push({ file, restoredToPass, contributes: restoredToPass.length > 0 })
  }
  const unneeded = contributions.filter((c) => !c.contributes).map((c) => c.file)
  if (unneeded.length > 0) {
    return {
      check: fail("inverse-mutation", `restoring ${listSome(unneeded)} alone turns no test of F back to passing: not needed for the bug`, {
        files: unneeded
      }),
      contributions
    }
  }
  return {
    check: pass("inverse-mutation", `each of the ${contributions.length} changed file(s) is needed for the bug`, {
      files: contributions.map((c) => c.file),
      details: Object.fromEntries(contributions.map((c) => [c.file, c.restoredToPass.length]))
    }),
    contributions
  }
}
