import { join } from "node:path"
import { Effect } from "effect"
import { readArtifactDir, writeArtifactDir } from "../artifacts/artifactDir.ts"
import { BugBank, type BugRow } from "../bank/BugBank.ts"
import type { ArtifactMetadata } from "../domain/artifact.ts"
import { selectHigherOrder } from "../phases/score/higherOrder.ts"
import { bandOf, solverReward, solveRate } from "../phases/score/rewards.ts"
import { solveAttempt } from "../phases/solve/index.ts"
import { stateHashOf } from "../phases/score/higherOrder.ts"
import type { PlayContext } from "./context.ts"
import { childBugId, deriveSeed, solverEpisodeId } from "./ids.ts"
import { saveTrajectory, trajectoryPath } from "./trajectoryStore.ts"

const now = () => new Date().toISOString()

export const readBugArtifact = (bug: BugRow) => readArtifactDir(bug.dir).pipe(Effect.map((read) => read.artifact))

/**
 * Runs the solver attempts of a bug that the bank has not recorded yet (all G on a fresh bug, the rest after
 * a crash), concurrently in separate sandboxes. Each attempt is recorded as soon as it is judged; its seed
 * depends only on the bug and the attempt index, so a resumed attempt replays the same episode.
 */
export const solveBugAttempts = (ctx: PlayContext, round: number, bug: BugRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const recorded = new Set((yield* bank.attempts(bug.id)).map((a) => a.index))
    const todo = Array.from({ length: ctx.game.groupSize }, (_, i) => i).filter((i) => !recorded.has(i))
    if (todo.length === 0) return
    const artifact = yield* readBugArtifact(bug)
    const env = ctx.envs.get(bug.repo)!
    yield* Effect.forEach(todo, (index) =>
      Effect.gen(function*() {
        const seed = deriveSeed(bug.seed, bug.id, index)
        const episodeId = solverEpisodeId(bug.id, index)
        const file = trajectoryPath(ctx.outDir, episodeId)
        const outcome = yield* solveAttempt({
          env, game: ctx.game, artifact, baselineTests: bug.baselineTests, limits: ctx.limits, index, seed,
          onStep: (t) => saveTrajectory(file, t)
        })
        yield* saveTrajectory(file, outcome.trajectory)
        const success = outcome.judgement.success
        yield* bank.putEpisode({
          id: episodeId, runId: ctx.runId, round, role: "solver", bugId: bug.id, groupId: bug.id,
          policyVersion: outcome.trajectory.policy.version, reward: solverReward(success), status: outcome.trajectory.status,
          trajectoryPath: file, emitted: false, createdAt: now()
        })
        // The attempt row is written last: its presence is what marks the attempt done for --resume.
        yield* bank.putAttempt({
          bugId: bug.id, index, seed, policyVersion: outcome.trajectory.policy.version, success, reward: solverReward(success),
          patch: outcome.patch, failedTests: outcome.judgement.failedTests, missingTests: outcome.judgement.missingTests,
          stateHash: stateHashOf(outcome.judgement.stateDiff) ?? null, episodeId, createdAt: now()
        })
        yield* ctx.onEvent({ kind: "attempt", round, bugId: bug.id, index, success })
      }), { concurrency: ctx.game.concurrency.solvers, discard: true })
  })

/** The bug with its solve rate and band from the recorded attempts (not yet written). */
export const scoreBug = (_ctx: PlayContext, bug: BugRow) =>
  Effect.gen(function*() {
    const attempts = yield* (yield* BugBank).attempts(bug.id)
    const successes = attempts.filter((a) => a.success).length
    const s = attempts.length === 0 ? null : solveRate(successes, attempts.length)
    return { ...bug, attempts: attempts.length, successes, solveRate: s, band: s === null ? null : bandOf(s) } satisfies BugRow
  })

/**
 * Turns the bug's kept failed attempts into higher-order bugs (GAME.md §6): the parent's files plus the failed
 * patch as an extra layer. Idempotent: a child already in the bank is returned as is; a state already in the
 * bank (from any run) is a duplicate and is skipped.
 */
export const spawnHigherOrder = (ctx: PlayContext, parent: BugRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const attempts = yield* bank.attempts(parent.id)
    const candidates = selectHigherOrder({
      parentOrder: parent.order,
      parentStateHash: parent.normalisedHash,
      maxOrder: ctx.game.maxOrder,
      limit: ctx.game.higherOrderPerBug,
      attempts
    })
    const parentArtifact = yield* readBugArtifact(parent)
    const children: Array<BugRow> = []
    for (const candidate of candidates) {
      const id = childBugId(parent.id, candidate.attemptIndex)
      const existing = yield* bank.getBug(id)
      if (existing !== undefined) {
        children.push(existing)
        continue
      }
      const duplicate = yield* bank.findByHash(candidate.stateHash)
      if (duplicate !== undefined) continue
      const attempt = attempts.find((a) => a.index === candidate.attemptIndex)!
      const dir = join(ctx.outDir, "bugs", id)
      const metadata: ArtifactMetadata = {
        schemaVersion: 1, id, repo: parent.repo, rev: parent.rev, strategy: "higher-order",
        policy: { name: parent.policyName, version: attempt.policyVersion }, seed: attempt.seed, order: parent.order + 1,
        parent: parent.id, createdAt: now(),
        hashes: { bugInject: stateHashOf(parentArtifact.bugInjectDiff) ?? "", testWeaken: stateHashOf(parentArtifact.testWeakenDiff) ?? "", normalised: candidate.stateHash },
        locations: []
      }
      yield* writeArtifactDir(dir, { ...parentArtifact, extraLayers: [...parentArtifact.extraLayers, candidate.patch] }, metadata)
      const child: BugRow = {
        ...parent, id, strategy: "higher-order", policyVersion: attempt.policyVersion, seed: attempt.seed, parent: parent.id,
        order: parent.order + 1, dir, normalisedHash: candidate.stateHash, createdAt: now(), failingTests: attempt.failedTests,
        duplicateOf: null, attempts: 0, successes: 0, solveRate: null, band: null, injectorReward: null
      }
      yield* bank.putBug(child)
      children.push(child)
    }
    return children
  })
