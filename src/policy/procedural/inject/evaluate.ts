import { Effect } from "effect"
import { statusOf, type TestReport } from "../../../domain/testReport.ts"
import { restoreFiles } from "../../../sandbox/repoOps.ts"
import type { Sandbox } from "../../../sandbox/Sandbox.ts"
import { readRepoTexts, writeRepoTexts } from "../sandboxFiles.ts"
import { newlyFailing, newlyMissing, passedIds, runSuite, type SuiteProgram, type SuiteRun } from "../suite.ts"
import type { EpisodeRecorder } from "../trajectory.ts"

/*
 * Judges an applied candidate the way the auditor will (GAME.md §3 checks 5 and 7), before any weakening:
 * F must be non-empty, most tests must still run, and with several files each one must be needed.
 */

export type Evaluation =
  | { readonly ok: true; readonly files: ReadonlyArray<string>; readonly failing: ReadonlyArray<string>; readonly run: SuiteRun }
  | { readonly ok: false; readonly reason: string }

export interface EvaluateInput {
  readonly sandbox: Sandbox
  readonly program: SuiteProgram
  readonly baseline: TestReport
  readonly files: ReadonlyArray<string>
  readonly timeoutMs: number
  readonly minChangedFiles: number
  readonly minFailingTests: number
  readonly recorder: EpisodeRecorder
}

const bugVerdict = (baseline: TestReport, run: SuiteRun, minFailing: number): { failing: Array<string> } | { reason: string } => {
  if (run.timedOut) return { reason: "the test run timed out" }
  const failing = newlyFailing(baseline, run.report)
  const missing = newlyMissing(baseline, run.report)
  const passing = passedIds(baseline).length
  if (missing.length * 2 > passing) return { reason: `${missing.length} of ${passing} passing tests went missing` }
  if (failing.length < Math.max(1, minFailing)) return { reason: `${failing.length} test(s) went from passed to failed` }
  return { failing }
}

/** Restoring one file alone turns at least one failing test back to passing (check 7, per file). */
const contributes = (report: TestReport, failing: ReadonlyArray<string>): boolean =>
  failing.some((id) => statusOf(report, id) === "passed")

export const evaluateCandidate = Effect.fn("evaluateCandidate")(function*(input: EvaluateInput) {
  const { sandbox, program, baseline, recorder } = input
  let files = [...input.files]
  let run = yield* runSuite(sandbox, program, { timeoutMs: input.timeoutMs })
  let verdict = bugVerdict(baseline, run, input.minFailingTests)
  yield* recorder.step("run-bug", {
    files,
    ms: Math.round(run.ms),
    ...("failing" in verdict ? { failing: verdict.failing.length } : { rejected: verdict.reason })
  })
  if (!("failing" in verdict)) return { ok: false, reason: verdict.reason } satisfies Evaluation

  // Inverse mutation pre-check: drop files whose restoration alone turns no failing test back to passing.
  for (let round = 0; round < 2 && files.length > 1; round++) {
    const failing = verdict.failing
    const mutated = yield* readRepoTexts(sandbox, files)
    const needed: Array<string> = []
    for (const file of files) {
      yield* restoreFiles(sandbox, [file])
      const restored = yield* runSuite(sandbox, program, { timeoutMs: input.timeoutMs })
      const text = mutated.get(file)
      if (text !== undefined) yield* writeRepoTexts(sandbox, new Map([[file, text]]))
      if (contributes(restored.report, failing)) needed.push(file)
    }
    yield* recorder.step("inverse-precheck", { files, needed })
    if (needed.length === files.length) break
    if (needed.length < input.minChangedFiles || needed.length === 0) {
      return { ok: false, reason: `only ${needed.length} of ${files.length} changed files are needed for the failures` } satisfies Evaluation
    }
    yield* restoreFiles(sandbox, files.filter((f) => !needed.includes(f)))
    files = needed
    run = yield* runSuite(sandbox, program, { timeoutMs: input.timeoutMs })
    verdict = bugVerdict(baseline, run, input.minFailingTests)
    yield* recorder.step("run-bug", { files, ms: Math.round(run.ms), ...("failing" in verdict ? { failing: verdict.failing.length } : { rejected: verdict.reason }) })
    if (!("failing" in verdict)) return { ok: false, reason: verdict.reason } satisfies Evaluation
  }
  if (files.length < input.minChangedFiles) {
    return { ok: false, reason: `the bug changes ${files.length} file(s), fewer than ${input.minChangedFiles}` } satisfies Evaluation
  }
  return { ok: true, files, failing: verdict.failing, run } satisfies Evaluation
})
