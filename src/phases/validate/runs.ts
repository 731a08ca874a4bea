import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { RunState, RunSummary } from "../../domain/validation.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { BaselineCache } from "../../execution/BaselineCache.ts"
import {
  installProgram,
  runCounts,
  runInState,
  runMs,
  runParser,
  type RunLimits,
  type TestProgram,
  type TestRun
} from "../../execution/testRun.ts"
import { SandboxProvider } from "../../sandbox/Sandbox.ts"
import type { StateRun } from "./facts.ts"

/** One test run in a fresh sandbox: original repo → diffs applied in order → files restored → tests. */
export interface RunSpec {
  readonly label: string
  readonly state: RunState
  readonly layers: ReadonlyArray<string>
  readonly restore: ReadonlyArray<string>
}

export interface LabelledRun extends StateRun {
  readonly spec: RunSpec
}

/** Runs one spec in its own sandbox, released however the run ends. */
export const executeRun = (env: PreparedEnv, program: TestProgram, spec: RunSpec, limits: RunLimits) =>
  Effect.scoped(
    Effect.gen(function*() {
      const sandbox = yield* (yield* SandboxProvider).acquire(env, { purpose: spec.label })
      const result = yield* runInState(sandbox, program, spec, limits)
      return { spec, setup: result.setup, run: result.run } satisfies LabelledRun
    })
  ).pipe(Effect.withSpan("validate.run", { attributes: { label: spec.label } }))

/** Runs independent specs concurrently (each in its own sandbox), results in spec order. */
export const executeRuns = (
  env: PreparedEnv,
  program: TestProgram,
  specs: ReadonlyArray<RunSpec>,
  limits: RunLimits,
  concurrency: number
) => Effect.forEach(specs, (spec) => executeRun(env, program, spec, limits), { concurrency })

const BASELINE_SPECS: ReadonlyArray<RunSpec> = [
  { label: "baseline-1", state: "original", layers: [], restore: [] },
  { label: "baseline-2", state: "original", layers: [], restore: [] }
]

/**
 * The two clean-baseline runs, served from the cache when this script already ran on this environment (the
 * cached outputs are then parsed by this artifact's parser, in a sandbox).
 */
export const baselineRuns = (
  env: PreparedEnv,
  program: TestProgram,
  limits: RunLimits,
  concurrency: number
): Effect.Effect<ReadonlyArray<TestRun>, SandboxError, SandboxProvider | BaselineCache> =>
  Effect.gen(function*() {
    const cache = yield* BaselineCache
    // Outputs can differ between backends (paths, tool versions): each backend has its own entries.
    const cacheKey = `${(yield* SandboxProvider).backend}-${env.key}`
    const cached = yield* cache.get(cacheKey, program.script)
    if (cached !== undefined && cached.length >= 2) {
      return yield* Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env, { purpose: "baseline-parse" })
        yield* installProgram(sandbox, program)
        return yield* Effect.forEach(cached.slice(0, 2), (script) =>
          runParser(sandbox, script.output, limits).pipe(Effect.map((parse): TestRun => ({ script, parse, cached: true }))))
      }))
    }
    const runs = yield* executeRuns(env, program, BASELINE_SPECS, limits, concurrency)
    const tests = runs.flatMap((r) => (r.run === undefined ? [] : [r.run]))
    yield* cache.put(cacheKey, program.script, tests.map((t) => t.script))
    return tests
  })

export const summarise = (label: string, state: RunState, run: TestRun): RunSummary => {
  const counts = runCounts(run)
  return {
    label,
    state,
    ms: runMs(run),
    exitCode: run.script.exitCode,
    timedOut: run.script.timedOut,
    outputBytes: run.script.outputBytes,
    outputCapped: run.script.outputCapped,
    parser: {
      ok: run.parse.ok,
      ...(run.parse.ok ? {} : { reason: run.parse.reason }),
      passed: counts.passed,
      failed: counts.failed
    },
    cached: run.cached
  }
}
