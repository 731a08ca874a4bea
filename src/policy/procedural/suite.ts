import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { BuiltinParserName, RepoProfile } from "../../domain/profile.ts"
import { statusOf, type TestReport } from "../../domain/testReport.ts"
import { parseBuiltin } from "../../parsers/index.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"

/* Running the repository's known test command inside the sandbox and comparing parsed reports. */

export interface SuiteProgram {
  readonly script: string
  readonly parserName: BuiltinParserName
  /** Path of the installed script inside the sandbox. */
  readonly scriptPath: string
  readonly timeoutMs: number
}

export interface SuiteRun {
  readonly report: TestReport
  /** stdout and stderr merged, as the parser reads them. */
  readonly output: string
  readonly timedOut: boolean
  readonly exitCode: number | null
  readonly ms: number
}

/** test_script.sh for a profile's command: runs from the repository root, cds nowhere. */
export const testScriptFor = (command: string): string =>
  ["#!/usr/bin/env bash", "# Runs the repository's test suite with per-test output. Run from the repository root.", command, ""].join("\n")

/** Installs the profile's test command as a script in the sandbox's work directory; undefined without one. */
export const installSuite = (
  sandbox: Sandbox,
  profile: RepoProfile,
  scriptTimeoutSeconds: number
): Effect.Effect<SuiteProgram | undefined, SandboxError> => {
  const test = profile.test
  if (test === undefined) return Effect.succeed(undefined)
  const program: SuiteProgram = {
    script: testScriptFor(test.command),
    parserName: test.parser,
    scriptPath: `${sandbox.workDir}/ssr-procedural/test_script.sh`,
    timeoutMs: Math.round(Math.min(scriptTimeoutSeconds, test.timeoutSeconds) * 1000)
  }
  return sandbox.writeFile(program.scriptPath, program.script, { mode: 0o755 }).pipe(Effect.as(program))
}

/** One run of the suite, parsed engine-side with the built-in parser (the shipped Python twin gives the same ids). */
export const runSuite = (
  sandbox: Sandbox,
  program: SuiteProgram,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {}
): Effect.Effect<SuiteRun, SandboxError> =>
  sandbox.exec({
    argv: ["bash", "-c", "exec bash \"$0\" 2>&1 </dev/null", program.scriptPath],
    env: options.env ?? {},
    timeoutMs: options.timeoutMs ?? program.timeoutMs,
    maxOutputBytes: 16 * 1024 * 1024
  }).pipe(
    Effect.map((r) => ({
      report: parseBuiltin(program.parserName, r.stdout),
      output: r.stdout,
      timedOut: r.timedOut,
      exitCode: r.exitCode,
      ms: r.durationMs
    }))
  )

/**
 * Time limit for runs of a mutated or repaired program: a few times the reference run (at least 20 s), so a
 * candidate that loops forever costs seconds, not the whole script budget.
 */
export const candidateTimeoutMs = (program: SuiteProgram, referenceMs: number): number =>
  Math.min(program.timeoutMs, Math.max(20_000, Math.round(4 * referenceMs)))

export const passedIds = (report: TestReport): Array<string> => Object.keys(report).filter((id) => report[id] === "passed")

/** F: tests that passed in `before` and have status "failed" in `after` (missing ones do not count). */
export const newlyFailing = (before: TestReport, after: TestReport): Array<string> =>
  passedIds(before).filter((id) => statusOf(after, id) === "failed").sort()

/** Tests that passed in `before` and are absent from `after`. */
export const newlyMissing = (before: TestReport, after: TestReport): Array<string> =>
  passedIds(before).filter((id) => statusOf(after, id) === "missing")

/** How far a run is from "everything passes": failed tests plus tests of the reference run that went missing. */
export const badness = (reference: TestReport, run: TestReport): number =>
  Object.values(run).filter((s) => s === "failed").length +
  Object.keys(reference).filter((id) => statusOf(run, id) === "missing").length
