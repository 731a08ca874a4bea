import { Effect } from "effect"
import type { BugArtifact } from "../../domain/artifact.ts"
import { statusOf } from "../../domain/testReport.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { layerName, type RunLimits, runInState } from "../../execution/testRun.ts"
import { SandboxProvider } from "../../sandbox/Sandbox.ts"
import { bugLayers } from "./task.ts"

export interface Judgement {
  readonly success: boolean
  /** Why it failed, in words (empty on success). */
  readonly reason: string
  readonly failedTests: ReadonlyArray<string>
  /** Tests the original run reported that this run did not. */
  readonly missingTests: ReadonlyArray<string>
  /** Code state judged, as a diff from the original (oracle tests restored): the would-be higher-order bug. */
  readonly stateDiff: string
}

/**
 * Judges a solver patch (GAME.md §5): original → bug → weakening → failed parent patches → this patch; every
 * oracle test file restored from the original; the artifact's script and parser. Success iff every parsed test
 * passes and none of the tests the original run reported is missing.
 */
export const judgePatch = Effect.fn("judgePatch")(function*(input: {
  readonly env: PreparedEnv
  readonly artifact: BugArtifact
  readonly patch: string
  readonly baselineTests: ReadonlyArray<string>
  readonly limits: RunLimits
}) {
  const verdict = (reason: string, extra: Partial<Judgement> = {}): Judgement => ({
    success: false, reason, failedTests: [], missingTests: [], stateDiff: "", ...extra
  })
  return yield* Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* (yield* SandboxProvider).acquire(input.env, { purpose: "judge" })
    const program = { script: input.artifact.testScript, parser: input.artifact.testParser }
    const layers = [...bugLayers(input.artifact), input.patch]
    const result = yield* runInState(sandbox, program, { layers, restore: input.artifact.testFiles, captureState: true }, input.limits)
    if (!result.setup.ok) {
      const patchFailed = result.setup.reason.startsWith(`layer ${layerName(layers.length - 1)}:`)
      return verdict(patchFailed ? `the patch does not apply: ${result.setup.reason}` : `cannot set up the bug's state: ${result.setup.reason}`)
    }
    const run = result.run!
    const stateDiff = result.stateDiff ?? ""
    if (!run.parse.ok) return verdict(`the parser failed: ${run.parse.reason}`, { stateDiff })
    const report = run.parse.report
    const failedTests = Object.keys(report).filter((id) => report[id] === "failed").sort()
    const missingTests = input.baselineTests.filter((id) => statusOf(report, id) === "missing")
    const timedOut = run.script.timedOut ? " (the test script timed out)" : ""
    if (failedTests.length > 0 || missingTests.length > 0) {
      return verdict(`${failedTests.length} test(s) fail, ${missingTests.length} missing${timedOut}`, { failedTests, missingTests, stateDiff })
    }
    return { success: true, reason: "", failedTests, missingTests, stateDiff } satisfies Judgement
  }))
})
