import { Effect } from "effect"
import { DEFAULT_TEST_GLOBS, makeFileClassifier } from "../../../diff/index.ts"
import { applyDiff } from "../../../sandbox/repoOps.ts"
import { WorkerPool } from "../../../pool/WorkerPool.ts"
import type { SolveRequest, SolveResult } from "../../Policy.ts"
import { scriptKindOf } from "../ast/source.ts"
import { coverageEnv, coverageOfTestFiles, readCoverage } from "../coverage.ts"
import { makeRandom } from "../random.ts"
import { bash, readRepoTexts, writeRepoTexts } from "../sandboxFiles.ts"
import { badness, candidateTimeoutMs, installSuite, runSuite } from "../suite.ts"
import { makeRecorder } from "../trajectory.ts"
import { localise, specTestFiles } from "./localise.ts"
import { asSite, boostNear, drawCandidate, rankRepairs } from "./rank.ts"

/*
 * The procedural Solver (GAME.md §8): apply the spec (the reversed weakening) to see the failing tests, localise,
 * then a seeded greedy search over ranked repair candidates: keep an edit when it lowers the number of failing
 * (or missing) tests, stop when none fails or the budget is spent. The spec is reverted at the end so only code
 * changes remain; the code is left in its best state.
 */

/** How much a revealing trial (some failing test passed) raises the weight of the candidates near it. */
const REVEALING_BOOST = 6

/** Draws whose edit does not apply or parse do not use the budget, up to this many per budget unit. */
const DRAWS_PER_TRIAL = 4

export const solveEpisode = Effect.fn("ProceduralPolicy.solve")(function*(request: SolveRequest) {
  const { sandbox, env, game } = request
  const recorder = makeRecorder("solver", request.seed, request.onStep)
  const finish = (status: "submitted" | "gave_up") => recorder.finish(status).pipe(Effect.map((trajectory): SolveResult => ({ trajectory })))
  yield* recorder.step("start", { seed: request.seed, budget: game.budgets.solverCandidates })
  const program = yield* installSuite(sandbox, env.profile, game.budgets.scriptTimeoutSeconds)
  if (program === undefined) {
    yield* recorder.step("give-up", { reason: "the profile has no test command" })
    return yield* finish("gave_up")
  }
  const specApplied = yield* applyDiff(sandbox, request.spec)
  yield* recorder.step("apply-spec", { ok: specApplied.ok, ...(specApplied.ok ? {} : { reason: specApplied.reason }) })
  if (!specApplied.ok) return yield* finish("gave_up")

  const revertSpec = Effect.gen(function*() {
    const reverted = yield* applyDiff(sandbox, request.spec, { reverse: true })
    if (!reverted.ok) {
      // The task commit holds the weakened tests: restoring the spec's files from it undoes the spec as well.
      const files = specTestFiles(request.spec)
      if (files.length > 0) yield* bash(sandbox, `git checkout --quiet HEAD -- "$@"`, files)
    }
    yield* recorder.step("revert-spec", { ok: reverted.ok })
  })

  const coverageDir = `${sandbox.workDir}/ssr-procedural/coverage-solve`
  const first = yield* runSuite(sandbox, program, { env: coverageEnv(coverageDir) })
  const reference = first.report
  let best = badness(reference, first.report)
  // A crash can hide tests (absent from the first run too): a repair that brings tests back is progress.
  let bestTotal = Object.keys(first.report).length
  const failingIds = Object.keys(first.report).filter((id) => first.report[id] === "failed")
  yield* recorder.step("run-tests", { tests: Object.keys(first.report).length, failing: failingIds.length, ms: Math.round(first.ms) })
  if (best === 0) {
    yield* revertSpec
    return yield* finish("submitted")
  }

  const globs = env.profile.testFiles.length > 0 ? env.profile.testFiles : DEFAULT_TEST_GLOBS
  const classify = makeFileClassifier({ testFiles: [], testGlobs: globs })
  const isCode = (path: string) => classify(path) === "code" && scriptKindOf(path) !== undefined && !path.split("/").includes("node_modules")
  const coverage = yield* readCoverage(sandbox, coverageDir)
  const specCoverage = yield* coverageOfTestFiles(
    sandbox, specTestFiles(request.spec), `${sandbox.workDir}/ssr-procedural/coverage-spec`, candidateTimeoutMs(program, first.ms)
  )
  const localisation = localise({ spec: request.spec, output: first.output, repoRoot: sandbox.repoDir, failingIds, coverage, specCoverage, isCode })
  const codeFiles = [...new Set([...localisation.traceLines.keys(), ...localisation.covered.keys()])].sort()
  const texts = yield* readRepoTexts(sandbox, codeFiles)
  yield* recorder.step("localise", {
    traceLines: Object.fromEntries(localisation.traceLines),
    symbols: localisation.symbols.slice(0, 20),
    coveredFiles: [...localisation.covered.keys()],
    specFiles: localisation.specFiles
  })

  const pool = yield* WorkerPool
  const random = makeRandom(`${request.seed}:solve`)
  const tried = new Set<string>()
  let ranked = yield* rankRepairs(texts, localisation)
  yield* recorder.step("rank-candidates", { candidates: ranked.length, top: ranked.slice(0, 5).map((r) => r.edit.description) })
  let trials = 0
  let kept = 0
  // The closest miss (fewest failing tests, a revealing one first): submitted as a best guess when nothing helped.
  let closest: { readonly file: string; readonly text: string; readonly score: number; readonly revealing: boolean; readonly description: string } | undefined
  for (let draws = 0; trials < game.budgets.solverCandidates && best > 0 && draws < game.budgets.solverCandidates * DRAWS_PER_TRIAL; draws++) {
    const pick = drawCandidate(ranked, tried, random)
    if (pick === undefined) break
    tried.add(pick.key)
    const { edit } = pick
    const before = texts.get(edit.file)
    if (before === undefined) continue
    const applied = yield* pool.run("applyMutations", { items: [{ file: { path: edit.file, text: before }, sites: [asSite(edit)] }] })
    const result = applied.results[0]?.result
    if (result === undefined || !result.ok) continue
    trials++
    yield* writeRepoTexts(sandbox, new Map([[edit.file, result.text]]))
    const run = yield* runSuite(sandbox, program, { timeoutMs: candidateTimeoutMs(program, first.ms) })
    const score = badness(reference, run.report)
    const total = Object.keys(run.report).length
    const improved = score < best || (score === best && total > bestTotal)
    const revealing = failingIds.some((id) => run.report[id] === "passed")
    yield* recorder.step("try-repair", {
      trial: trials, file: edit.file, line: edit.line, kind: edit.kind, tier: pick.tier, description: edit.description,
      failingBefore: best, failingAfter: score, kept: improved, revealing
    })
    if (!improved) {
      yield* writeRepoTexts(sandbox, new Map([[edit.file, before]]))
      const closer = closest === undefined || score < closest.score || (score === closest.score && revealing && !closest.revealing)
      if (score <= best && closer) closest = { file: edit.file, text: result.text, score, revealing, description: edit.description }
      if (revealing) ranked = boostNear(ranked, edit, REVEALING_BOOST)
      continue
    }
    best = score
    bestTotal = total
    kept++
    texts.set(edit.file, result.text)
    if (best > 0) ranked = yield* rankRepairs(texts, localisation)
  }
  if (best > 0 && kept === 0 && closest !== undefined) {
    // Like an agent out of ideas, hand in the most plausible change rather than nothing (a failed patch that
    // changes code is what seeds a higher-order bug, GAME.md §6).
    yield* writeRepoTexts(sandbox, new Map([[closest.file, closest.text]]))
    yield* recorder.step("submit-guess", { file: closest.file, description: closest.description, failing: closest.score, revealing: closest.revealing })
  }
  yield* revertSpec
  yield* recorder.step("finish", { trials, failing: best })
  return yield* finish(best === 0 ? "submitted" : "gave_up")
})
