import type { BugArtifact } from "../../domain/artifact.ts"
import { statusOf, type TestReport } from "../../domain/testReport.ts"
import type { CheckEvidence, CheckName, CheckResult, Thresholds } from "../../domain/validation.ts"
import { CHECK_NAMES } from "../../domain/validation.ts"
import type { FilePatch } from "../../diff/index.ts"
import type { TestRun } from "../../execution/testRun.ts"
import type { ApplyOutcome } from "../../sandbox/repoOps.ts"

export type DiffFacts = { readonly ok: true; readonly files: ReadonlyArray<FilePatch> } | { readonly ok: false; readonly reason: string }

/** A test run made in some state, with how that state was reached. */
export interface StateRun {
  /** Applying the layers / restoring files; a failure means the run did not happen. */
  readonly setup: ApplyOutcome
  readonly run?: TestRun | undefined
}

/** Everything the checks judge. Gathered by the pipeline; the checks themselves are pure. */
export interface ValidationFacts {
  readonly artifact: BugArtifact
  readonly thresholds: Thresholds
  /** Files tracked in the original repository. */
  readonly tracked: ReadonlySet<string>
  /** Code vs test by test_files.txt and the profile's test globs. */
  readonly classify: (path: string) => "test" | "code"
  readonly bugDiff: DiffFacts
  readonly weakenDiff: DiffFacts
  /** Two baseline runs on the original code (absent when there is no script). */
  readonly baseline: ReadonlyArray<TestRun>
  /** Two runs with the bug applied. */
  readonly bugRuns: ReadonlyArray<StateRun>
  readonly weakenedRun?: StateRun | undefined
  readonly inverseRuns: ReadonlyArray<{ readonly file: string; readonly state: StateRun }>
  /** Test ids excluded by configuration (e.g. known flaky tests); removed from every report. */
  readonly ignoreTest: (id: string) => boolean
}

export const indexOfCheck = (name: CheckName): number => CHECK_NAMES.indexOf(name) + 1

const result = (name: CheckName, status: CheckResult["status"], reason: string, evidence: CheckEvidence = {}): CheckResult => ({
  index: indexOfCheck(name),
  name,
  status,
  reason,
  evidence
})

export const pass = (name: CheckName, reason: string, evidence?: CheckEvidence) => result(name, "passed", reason, evidence)
export const fail = (name: CheckName, reason: string, evidence?: CheckEvidence) => result(name, "failed", reason, evidence)
export const skip = (name: CheckName, reason: string) => result(name, "skipped", reason)

/** Shows at most `max` items, then "… and N more". */
export const listSome = (items: ReadonlyArray<string>, max = 5): string =>
  items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} … and ${items.length - max} more`

export const filteredReport = (report: TestReport, ignore: (id: string) => boolean): TestReport =>
  Object.fromEntries(Object.entries(report).filter(([id]) => !ignore(id)))

/** Report of a run after the ignore list, or undefined when the parser failed on it. */
export const reportOf = (facts: ValidationFacts, run: TestRun | undefined): TestReport | undefined =>
  run?.parse.ok ? filteredReport(run.parse.report, facts.ignoreTest) : undefined

/** Tests that passed in the first baseline run. */
export const baselinePassing = (facts: ValidationFacts): ReadonlyArray<string> => {
  const report = reportOf(facts, facts.baseline[0])
  return report === undefined ? [] : Object.keys(report).filter((id) => report[id] === "passed").sort()
}

/** Of `ids`, those with `status` in `report`. */
export const withStatus = (report: TestReport, ids: ReadonlyArray<string>, status: "passed" | "failed" | "missing") =>
  ids.filter((id) => statusOf(report, id) === status)

/** The failing set F of GAME.md §3 check 5, as computed by the bug-real check (empty when it did not pass). */
export interface FailingSet {
  readonly tests: ReadonlyArray<string>
}
