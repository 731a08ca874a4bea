import { Effect } from "effect"
import type { SandboxError } from "../domain/errors.ts"
import { countReport, decodeParserOutput, type TestReport } from "../domain/testReport.ts"
import type { Sandbox } from "../sandbox/Sandbox.ts"

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
      if (r.exitCode !== 0) {
        return { ok: false, reason: `parser exited with code ${r.exitCode ?? r.signal}: ${tail(r.stderr.trim(), 800)}`, ms: r.durationMs }
      }
      const decoded = decodeParserOutput(r.stdout)
      return decoded.ok ? { ok: true, report: decoded.report, ms: r.durationMs } : { ok: false, reason: decoded.reason, ms: r.durationMs }
    })
  )

export const runTests = (sandbox: Sandbox, limits: RunLimits): Effect.Effect<TestRun, SandboxError> =>
  runScript(sandbox, limits).pipe(
    Effect.flatMap((script) => runParser(sandbox, script.output, limits).pipe(Effect.map((parse) => ({ script, parse, cached: false }))))
  )

export const runMs = (run: TestRun): number => run.script.ms + run.parse.ms

export const runCounts = (run: TestRun) => (run.parse.ok ? countReport(run.parse.report) : { total: 0, passed: 0, failed: 0 })

export const outputExcerpt = (run: TestRun): string => tail(run.script.output)
