import { Effect } from "effect"
import type { SandboxError } from "../domain/errors.ts"
import { countReport, decodeParserOutput, type TestReport } from "../domain/testReport.ts"
import type { ApplyOutcome } from "../sandbox/repoOps.ts"
import type { Sandbox } from "../sandbox/Sandbox.ts"
import { driverScript, parseDriverStatus, SCRIPT_END_MARKER, SETUP_DONE_MARKER } from "./driver.ts"

/** The two executable files of an artifact: how to run the tests and how to read their output. */
export interface TestProgram {
  readonly script: string
  readonly parser: string
}

export interface RunLimits {
  /** Wall-time limit of test_script.sh; the whole process tree is killed past it. */
  readonly scriptTimeoutMs: number
  /** Cap on the merged output; past it the tree is killed and the run is marked capped. */
  readonly maxOutputBytes: number
  readonly parserTimeoutMs: number
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  scriptTimeoutMs: 300_000,
  maxOutputBytes: 16 * 1024 * 1024,
  parserTimeoutMs: 60_000
}

export type ParseOutcome =
  | { readonly ok: true; readonly report: TestReport; readonly ms: number }
  | { readonly ok: false; readonly reason: string; readonly ms: number }

/** Raw result of test_script.sh (stdout and stderr merged, as the parser reads them). */
export interface ScriptOutput {
  readonly output: string
  readonly outputBytes: number
  readonly outputCapped: boolean
  readonly exitCode: number | null
  readonly timedOut: boolean
  readonly ms: number
}

export interface TestRun {
  readonly script: ScriptOutput
  readonly parse: ParseOutcome
  readonly cached: boolean
}

const SCRIPT_NAME = "test_script.sh"
const PARSER_NAME = "test_parser.py"

const tail = (text: string, max = 2000) => (text.length <= max ? text : "…" + text.slice(-max))

/** Writes the script and parser into the sandbox's private work directory (never into the repository). */
export const installProgram = (sandbox: Sandbox, program: TestProgram): Effect.Effect<void, SandboxError> =>
  Effect.all([
    sandbox.writeFile(`${sandbox.workDir}/${SCRIPT_NAME}`, program.script, { mode: 0o755 }),
    sandbox.writeFile(`${sandbox.workDir}/${PARSER_NAME}`, program.parser, { mode: 0o644 })
  ], { discard: true })

/** Runs the installed test_script.sh from the repository root, stderr merged into stdout. */
export const runScript = (sandbox: Sandbox, limits: RunLimits): Effect.Effect<ScriptOutput, SandboxError> =>
  sandbox.exec({
    argv: ["bash", "-c", "exec bash \"$0\" 2>&1 </dev/null", `${sandbox.workDir}/${SCRIPT_NAME}`],
    timeoutMs: limits.scriptTimeoutMs,
    maxOutputBytes: limits.maxOutputBytes
  }).pipe(
    Effect.map((r) => ({
      output: r.stdout,
      outputBytes: r.stdoutBytes,
      outputCapped: r.outputCapped,
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      ms: r.durationMs
    }))
  )

/** Pipes output to the installed parser inside the sandbox and decodes its JSON strictly. */
export const runParser = (sandbox: Sandbox, output: string, limits: RunLimits): Effect.Effect<ParseOutcome, SandboxError> =>
  sandbox.exec({
    argv: ["python3", `${sandbox.workDir}/${PARSER_NAME}`],
    stdin: output,
    timeoutMs: limits.parserTimeoutMs,
    maxOutputBytes: limits.maxOutputBytes
  }).pipe(
    Effect.map((r): ParseOutcome => {
      if (r.timedOut) return { ok: false, reason: `parser timed out after ${limits.parserTimeoutMs / 1000}s`, ms: r.durationMs }
      if (r.outputCapped) return { ok: false, reason: "parser output exceeded the cap", ms: r.durationMs }
      return decodeParse(r.exitCode ?? -1, r.stdout, r.stderr, r.durationMs, limits)
    })
  )

export const runTests = (sandbox: Sandbox, limits: RunLimits): Effect.Effect<TestRun, SandboxError> =>
  runScript(sandbox, limits).pipe(
    Effect.flatMap((script) => runParser(sandbox, script.output, limits).pipe(Effect.map((parse) => ({ script, parse, cached: false }))))
  )

export const runMs = (run: TestRun): number => run.script.ms + run.parse.ms

export const runCounts = (run: TestRun) => (run.parse.ok ? countReport(run.parse.report) : { total: 0, passed: 0, failed: 0 })

export const outputExcerpt = (run: TestRun): string => tail(run.script.output)

/** A state to test in: diffs applied in order to the original, then files restored to the original. */
export interface StateSpec {
  readonly layers: ReadonlyArray<string>
  readonly restore: ReadonlyArray<string>
  /** Also return the code state as a diff from the original (before the tests run). */
  readonly captureState?: boolean | undefined
}

export interface StateRunResult {
  readonly setup: ApplyOutcome
  readonly run?: TestRun | undefined
  readonly stateDiff?: string | undefined
}

export const layerName = (index: number): string => String(index).padStart(3, "0")

/** Applying the diffs and restoring files is quick; past this the sandbox is considered stuck. */
const SETUP_TIMEOUT_MS = 120_000

/**
 * Sets up a state and runs the tests in one exec (src/execution/driver.ts): per-phase limits (setup, the
 * script, the parser), the output capped, the parser run separately only when the engine had to kill the
 * script. Setting up the state is a verdict (ok or not), not an error.
 */
export const runInState = Effect.fn("runInState")(function*(sandbox: Sandbox, program: TestProgram, spec: StateSpec, limits: RunLimits) {
  const work = sandbox.workDir
  yield* sandbox.writeFiles([
    { path: `${work}/${SCRIPT_NAME}`, content: program.script, mode: 0o755 },
    { path: `${work}/${PARSER_NAME}`, content: program.parser },
    { path: `${work}/driver.sh`, content: driverScript },
    { path: `${work}/restore`, content: spec.restore.map((f) => `${f}\0`).join("") },
    // Numbered by position (empty layers are no-ops and skipped): a setup failure names "layer <index>".
    ...spec.layers.flatMap((layer, i) => layer.trim().length === 0 ? [] : [{ path: `${work}/layers/${layerName(i)}.diff`, content: layer }]),
    ...(spec.captureState === true ? [{ path: `${work}/capture-state`, content: "" }] : [])
  ])
  const exec = yield* sandbox.exec({
    argv: ["bash", `${work}/driver.sh`],
    env: { SSR_WORK: work, SSR_PARSER_TIMEOUT: String(Math.ceil(limits.parserTimeoutMs / 1000)) },
    timeoutMs: SETUP_TIMEOUT_MS,
    phases: [
      { stderrMarker: SETUP_DONE_MARKER, timeoutMs: limits.scriptTimeoutMs },
      { stderrMarker: SCRIPT_END_MARKER, timeoutMs: limits.parserTimeoutMs + 5_000 }
    ],
    maxOutputBytes: limits.maxOutputBytes
  })
  const status = parseDriverStatus(exec.stderr)
  if (status.kind === "setup-failed") return { setup: { ok: false, reason: `${status.what}: ${status.message.trim()}` } } satisfies StateRunResult
  const killedInScript = status.kind === "interrupted"
  const script: ScriptOutput = {
    output: exec.stdout,
    outputBytes: exec.stdoutBytes,
    outputCapped: exec.outputCapped,
    exitCode: killedInScript ? exec.exitCode : status.scriptExit,
    timedOut: killedInScript && exec.timedOut,
    ms: killedInScript ? exec.durationMs : status.scriptMs
  }
  const parse: ParseOutcome = status.kind === "complete"
    ? decodeParse(status.parserExit, status.parserStdout, status.parserStderr, status.parserMs, limits)
    : status.kind === "script-only"
    ? { ok: false, reason: `parser timed out after ${limits.parserTimeoutMs / 1000}s`, ms: exec.durationMs - status.scriptMs }
    : yield* runParser(sandbox, exec.stdout, limits)
  const stateDiff = spec.captureState === true
    ? new TextDecoder().decode((yield* sandbox.readFile(`${work}/state.diff`)) ?? new Uint8Array())
    : undefined
  return { setup: { ok: true }, run: { script, parse, cached: false }, stateDiff } satisfies StateRunResult
})

/** `timeout -s KILL` kills with 137; anything else non-zero is the parser's own failure. */
const decodeParse = (exitCode: number, stdout: string, stderr: string, ms: number, limits: RunLimits): ParseOutcome => {
  if (exitCode === 137) return { ok: false, reason: `parser timed out after ${limits.parserTimeoutMs / 1000}s`, ms }
  if (exitCode !== 0) return { ok: false, reason: `parser exited with code ${exitCode}: ${tail(stderr.trim(), 800)}`, ms }
  const decoded = decodeParserOutput(stdout)
  return decoded.ok ? { ok: true, report: decoded.report, ms } : { ok: false, reason: decoded.reason, ms }
}
