import { Effect } from "effect"
import type { BugArtifact } from "../../domain/artifact.ts"
import { statusOf } from "../../domain/testReport.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { installProgram, type RunLimits, runTests } from "../../execution/testRun.ts"
import { applyDiff, restoreFiles } from "../../sandbox/repoOps.ts"
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

const stateDiffScript = "git add --all && git diff --cached --binary --no-color --no-ext-diff HEAD"

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
    for (const layer of bugLayers(input.artifact)) {
      const applied = yield* applyDiff(sandbox, layer)
      if (!applied.ok) return verdict(`the bug's layers do not apply: ${applied.reason}`)
    }
    const applied = yield* applyDiff(sandbox, input.patch)
    if (!applied.ok) return verdict(`the patch does not apply: ${applied.reason}`)
    const restored = yield* restoreFiles(sandbox, input.artifact.testFiles)
    if (!restored.ok) return verdict(`cannot restore the oracle test files: ${restored.reason}`)
    const state = yield* sandbox.exec({ argv: ["bash", "-c", stateDiffScript], timeoutMs: 120_000, maxOutputBytes: 32 * 1024 * 1024 })
    const stateDiff = state.exitCode === 0 ? state.stdout : ""
    yield* sandbox.exec({ argv: ["git", "reset", "--quiet"], timeoutMs: 60_000 })
    yield* installProgram(sandbox, { script: input.artifact.testScript, parser: input.artifact.testParser })
    const run = yield* runTests(sandbox, input.limits)
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
