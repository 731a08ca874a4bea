import { Effect } from "effect"
import type { BugArtifact } from "../../domain/artifact.ts"
import type { CheckResult, RunSummary, Thresholds, ValidationReport } from "../../domain/validation.ts"
import { DEFAULT_TEST_GLOBS, makeFileClassifier, parseDiff, touchedFiles } from "../../diff/index.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import type { RunLimits, TestProgram } from "../../execution/testRun.ts"
import { SandboxProvider } from "../../sandbox/Sandbox.ts"
import { checkBugReal } from "./checks/bugReal.ts"
import { checkBugScope } from "./checks/bugScope.ts"
import { checkInverseMutation } from "./checks/inverseMutation.ts"
import { checkParserValid } from "./checks/parserValid.ts"
import { checkScriptValid } from "./checks/scriptValid.ts"
import { checkTestFiles } from "./checks/testFiles.ts"
import { checkWeakeningHides } from "./checks/weakeningHides.ts"
import type { DiffFacts, ValidationFacts } from "./facts.ts"
import { baselineRuns, executeRuns, type RunSpec, summarise } from "./runs.ts"

export interface ValidateInput {
  readonly artifact: BugArtifact
  readonly artifactPath: string
  readonly env: PreparedEnv
  readonly thresholds: Thresholds
  readonly limits: RunLimits
  /** Sandboxes running at once (inverse mutation runs and the bug runs go in parallel up to this). */
  readonly concurrency: number
  /** Test ids (with `*` wildcards) excluded from every report, e.g. known flaky tests. */
  readonly ignoreTests?: ReadonlyArray<string> | undefined
}

const wildcard = (patterns: ReadonlyArray<string>) => {
  if (patterns.length === 0) return () => false
  const regexes = patterns.map((p) => new RegExp("^" + p.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$"))
  return (id: string) => regexes.some((r) => r.test(id))
}

const diffFacts = (text: string, missing: boolean): DiffFacts => {
  if (missing) return { ok: true, files: [] }
  return parseDiff(text)
}

/** Stage 2 runs: the bug twice, bug + weakening, and one per changed file with only that file restored. */
const bugStageSpecs = (artifact: BugArtifact, facts: Pick<ValidationFacts, "bugDiff" | "weakenDiff">): Array<RunSpec> => {
  if (!facts.bugDiff.ok) return []
  const bug = artifact.bugInjectDiff
  const specs: Array<RunSpec> = [
    { label: "bug-1", state: "bug", layers: [bug], restore: [] },
    { label: "bug-2", state: "bug", layers: [bug], restore: [] }
  ]
  if (facts.weakenDiff.ok && !artifact.missing.includes("testWeaken")) {
    specs.push({ label: "weakened", state: "bug+weaken", layers: [bug, artifact.testWeakenDiff], restore: [] })
  }
  for (const file of facts.bugDiff.files) {
    const restore = touchedFiles([file])
    specs.push({ label: `inverse:${file.path}`, state: "bug-restore-file", layers: [bug], restore })
  }
  return specs
}

/**
 * Judges one first-order artifact against the seven checks of GAME.md §3. Runs go in two stages: the clean
 * baseline (twice), then — only when checks 2 and 3 hold — every bug-state run at once, bounded by
 * `concurrency`. Each run has its own fresh sandbox. Verdicts are values; only infrastructure fails.
 */
export const validateArtifact = Effect.fn("validateArtifact")(function*(input: ValidateInput) {
  const started = performance.now()
  const { artifact, env, limits, concurrency } = input
  const program: TestProgram = { script: artifact.testScript, parser: artifact.testParser }
  const testGlobs = env.profile.testFiles.length > 0 ? env.profile.testFiles : DEFAULT_TEST_GLOBS
  const listedDirs = artifact.testFiles.map((p) => p.replace(/\/+$/, "") + "/")
  const byRules = makeFileClassifier({ testFiles: artifact.testFiles, testGlobs })
  const base = {
    artifact,
    thresholds: input.thresholds,
    tracked: new Set(env.trackedFiles),
    classify: (path: string) => (listedDirs.some((d) => path.startsWith(d)) ? "test" as const : byRules(path)),
    bugDiff: diffFacts(artifact.bugInjectDiff, artifact.missing.includes("bugInject")),
    weakenDiff: diffFacts(artifact.testWeakenDiff, artifact.missing.includes("testWeaken")),
    ignoreTest: wildcard(input.ignoreTests ?? [])
  }
  const canRun = !artifact.missing.includes("testScript") && !artifact.missing.includes("testParser")
  const baseline = canRun ? yield* baselineRuns(env, program, limits, concurrency) : []
  const afterBaseline: ValidationFacts = { ...base, baseline, bugRuns: [], inverseRuns: [] }
  const parserValid = checkParserValid(afterBaseline)
  const scriptValid = checkScriptValid(afterBaseline, parserValid)

  const stage2 = scriptValid.status === "passed" ? bugStageSpecs(artifact, base) : []
  const results = yield* executeRuns(env, program, stage2, limits, concurrency)
  const facts: ValidationFacts = {
    ...afterBaseline,
    bugRuns: results.filter((r) => r.spec.state === "bug"),
    weakenedRun: results.find((r) => r.spec.state === "bug+weaken"),
    inverseRuns: results.filter((r) => r.spec.state === "bug-restore-file").map((r) => ({ file: r.spec.label.slice("inverse:".length), state: r }))
  }
  const bugReal = checkBugReal(facts, scriptValid)
  const inverse = checkInverseMutation(facts, bugReal.failing)
  const checks: Array<CheckResult> = [
    checkTestFiles(facts),
    parserValid,
    scriptValid,
    checkBugScope(facts),
    bugReal.check,
    checkWeakeningHides(facts, bugReal.failing),
    inverse.check
  ]
  const runs: Array<RunSummary> = [
    ...baseline.map((run, i) => summarise(`baseline-${i + 1}`, "original", run)),
    ...results.flatMap((r) => (r.run === undefined ? [] : [summarise(r.spec.label, r.spec.state, r.run)]))
  ]
  const firstFailed = checks.find((c) => c.status === "failed")
  const provider = yield* SandboxProvider
  const report: ValidationReport = {
    schemaVersion: 1,
    artifact: { path: input.artifactPath, naming: artifact.naming, missingFiles: [...artifact.missing], order: 1 + artifact.extraLayers.length },
    repo: { name: env.profile.name, rev: env.rev, envKey: env.key },
    isolation: provider.isolation,
    thresholds: input.thresholds,
    valid: checks.every((c) => c.status === "passed"),
    firstFailedCheck: firstFailed?.name ?? null,
    checks,
    failingTests: [...bugReal.failing],
    baselineTests: baseline[0]?.parse.ok ? Object.keys(baseline[0].parse.report).sort() : [],
    inverseMutation: [...inverse.contributions],
    runs,
    timings: {
      totalMs: performance.now() - started,
      prepareMs: 0,
      runsMs: runs.reduce((sum, r) => sum + r.ms, 0),
      concurrency
    }
  }
  return report
})
