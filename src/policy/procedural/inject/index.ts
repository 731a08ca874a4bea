import { Effect } from "effect"
import { DEFAULT_TEST_GLOBS, makeFileClassifier } from "../../../diff/index.ts"
import type { Strategy } from "../../../domain/game.ts"
import { builtinParserSource } from "../../../parsers/index.ts"
import { restoreFiles } from "../../../sandbox/repoOps.ts"
import type { InjectRequest, InjectResult } from "../../Policy.ts"
import { scriptKindOf } from "../ast/source.ts"
import { DIRECT_KINDS, type MutationKind, REMOVAL_KINDS } from "../ast/types.ts"
import { coverageEnv, mergeCoverage, readCoverage } from "../coverage.ts"
import { gitDiffOf, readRepoTexts } from "../sandboxFiles.ts"
import { candidateTimeoutMs, installSuite, passedIds, runSuite } from "../suite.ts"
import { type EpisodeRecorder, makeRecorder } from "../trajectory.ts"
import { astCandidateSource, type CandidateSource } from "./candidates.ts"
import { evaluateCandidate } from "./evaluate.ts"
import { historyCandidateSource, listPastCommits } from "./history.ts"
import { weakenFailingTests } from "./weaken.ts"

/*
 * The procedural Injector (GAME.md §8): run the suite once with V8 coverage, mutate code the tests execute
 * (removal / history / direct), keep the first candidate whose failures are real and all needed, weaken some of
 * them until one passes again, and submit the five files.
 */

/**
 * Share of removal attempts restricted to removals the solver's vocabulary can undo (inject/repairable.ts):
 * without it nearly every removal is unsolvable by the procedural solver (s = 0).
 */
const PREFER_REPAIRABLE_REMOVALS = 0.6

/** What the history strategy mutates when the repository has no past change to revert. */
const HISTORY_FALLBACK_KINDS: ReadonlyArray<MutationKind> = ["remove-statement", "negate-condition", "flip-operator"]

interface SourceContext {
  readonly request: InjectRequest
  readonly texts: ReadonlyMap<string, string>
  readonly exercised: ReadonlyMap<string, ReadonlySet<number>>
  readonly isCode: (path: string) => boolean
  readonly recorder: EpisodeRecorder
}

const candidateSource = (strategy: Strategy, context: SourceContext) =>
  Effect.gen(function*() {
    const { request, texts, exercised } = context
    const minFiles = request.game.thresholds.minChangedFiles
    const ast = (label: string, kinds: ReadonlyArray<MutationKind>, count: number, spread: number, preferRepairable: number) =>
      astCandidateSource({
        sandbox: request.sandbox, texts, exercised, kinds, count, minFiles: spread, seed: request.seed, label,
        targetFiles: request.targetFiles, preferRepairable
      })
    if (strategy === "direct") return yield* ast("direct", DIRECT_KINDS, minFiles, minFiles, 0)
    if (strategy === "removal") {
      return yield* ast("removal", REMOVAL_KINDS, Math.max(2, minFiles), Math.max(2, minFiles), PREFER_REPAIRABLE_REMOVALS)
    }
    const commits = yield* listPastCommits(request.sandbox, context.isCode)
    yield* context.recorder.step("git-log", { commitsTouchingCode: commits.length, sample: commits.slice(0, 5).map((c) => c.subject) })
    if (commits.length > 0) {
      return historyCandidateSource({ sandbox: request.sandbox, commits, exercised, seed: request.seed, targetFiles: request.targetFiles })
    }
    // No past change to revert (e.g. a registry tarball as one commit): make the kind of change reverting a fix
    // makes, a dropped guard or statement or a loosened condition.
    yield* context.recorder.step("history-unavailable", { fallback: HISTORY_FALLBACK_KINDS })
    return yield* ast("history-fallback", HISTORY_FALLBACK_KINDS, minFiles, minFiles, PREFER_REPAIRABLE_REMOVALS)
  })

export const injectEpisode = Effect.fn("ProceduralPolicy.inject")(function*(request: InjectRequest) {
  const { sandbox, env, game } = request
  const recorder = makeRecorder("injector", request.seed, request.onStep)
  const giveUp = (reason: string) =>
    recorder.step("give-up", { reason }).pipe(
      Effect.andThen(recorder.finish("gave_up")),
      Effect.map((trajectory): InjectResult => ({ artifact: undefined, trajectory }))
    )
  yield* recorder.step("start", { strategy: request.strategy, seed: request.seed, targetFiles: request.targetFiles ?? [] })
  const program = yield* installSuite(sandbox, env.profile, game.budgets.scriptTimeoutSeconds)
  if (program === undefined) return yield* giveUp("the profile has no test command")

  const coverageDir = `${sandbox.workDir}/ssr-procedural/coverage-baseline`
  const baseline = yield* runSuite(sandbox, program, { env: coverageEnv(coverageDir) })
  const passing = passedIds(baseline.report)
  yield* recorder.step("run-baseline", { tests: Object.keys(baseline.report).length, passed: passing.length, ms: Math.round(baseline.ms) })
  if (passing.length === 0) return yield* giveUp("no test passes on the original code")

  const globs = env.profile.testFiles.length > 0 ? env.profile.testFiles : DEFAULT_TEST_GLOBS
  const classify = makeFileClassifier({ testFiles: [], testGlobs: globs })
  const isCode = (path: string) => classify(path) === "code" && !path.split("/").includes("node_modules")
  const tracked = new Set(env.trackedFiles)
  const testFiles = env.trackedFiles.filter((f) => classify(f) === "test").sort()
  const covered = mergeCoverage(yield* readCoverage(sandbox, coverageDir))
  const exercised = new Map([...covered].filter(([file]) => tracked.has(file) && isCode(file) && scriptKindOf(file) !== undefined))
  yield* recorder.step("coverage", {
    files: [...exercised.keys()],
    lines: [...exercised.values()].reduce((n, lines) => n + lines.size, 0)
  })
  if (exercised.size === 0 && request.strategy !== "history") return yield* giveUp("the tests execute no JS/TS code file of the repository")

  const texts = yield* readRepoTexts(sandbox, [...exercised.keys()])
  const testTexts = yield* readRepoTexts(sandbox, testFiles.filter((f) => scriptKindOf(f) !== undefined))
  const source: CandidateSource = yield* candidateSource(request.strategy, { request, texts, exercised, isCode, recorder })

  for (let attempt = 0; attempt < game.budgets.injectionAttempts; attempt++) {
    const candidate = yield* source.next(attempt)
    if (candidate === undefined) {
      yield* recorder.step("no-more-candidates", { attempt, source: source.label })
      break
    }
    yield* recorder.step("apply-candidate", { attempt, source: source.label, description: candidate.description, files: candidate.files, ...candidate.detail })
    const evaluation = yield* evaluateCandidate({
      sandbox, program, baseline: baseline.report, timeoutMs: candidateTimeoutMs(program, baseline.ms), files: candidate.files, recorder,
      minChangedFiles: game.thresholds.minChangedFiles, minFailingTests: game.thresholds.minFailingTests
    })
    if (!evaluation.ok) {
      yield* restoreFiles(sandbox, candidate.files)
      yield* recorder.step("reject-candidate", { attempt, reason: evaluation.reason })
      continue
    }
    const weakening = yield* weakenFailingTests({
      sandbox, program, timeoutMs: candidateTimeoutMs(program, baseline.ms), failing: evaluation.failing, bugOutput: evaluation.run.output, testTexts, seed: request.seed + attempt, recorder
    })
    if (!weakening.ok) {
      yield* restoreFiles(sandbox, candidate.files)
      yield* recorder.step("reject-candidate", { attempt, reason: weakening.reason })
      continue
    }
    const bugInjectDiff = yield* gitDiffOf(sandbox, evaluation.files)
    const testWeakenDiff = yield* gitDiffOf(sandbox, weakening.files)
    const listed = [...new Set([...testFiles, ...weakening.files])].sort()
    yield* recorder.step("submit", {
      attempt,
      codeFiles: evaluation.files,
      failing: evaluation.failing,
      weakened: weakening.weakened,
      passingAgain: weakening.passingAgain,
      testFiles: listed.length
    })
    const trajectory = yield* recorder.finish("submitted")
    return {
      artifact: {
        testScript: program.script,
        testFiles: listed,
        testParser: builtinParserSource(program.parserName),
        bugInjectDiff,
        testWeakenDiff,
        missing: [],
        naming: "paper"
      },
      trajectory
    } satisfies InjectResult
  }
  return yield* giveUp(`no valid bug within ${game.budgets.injectionAttempts} attempt(s)`)
})
