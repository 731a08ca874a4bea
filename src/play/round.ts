import { join } from "node:path"
import { Effect } from "effect"
import { writeArtifactDir } from "../artifacts/artifactDir.ts"
import { type BugRow, BugBank, type RoundRow } from "../bank/BugBank.ts"
import type { ArtifactMetadata, BugArtifact } from "../domain/artifact.ts"
import type { Trajectory } from "../domain/trajectory.ts"
import { injectBug } from "../phases/inject/index.ts"
import { stateHashOf } from "../phases/score/higherOrder.ts"
import { injectorReward } from "../phases/score/rewards.ts"
import { validateArtifact } from "../phases/validate/index.ts"
import { Policy } from "../policy/Policy.ts"
import { injectorEpisodeId, roundBugId } from "./ids.ts"
import type { PlayContext } from "./context.ts"
import { readBugArtifact, scoreBug, solveBugAttempts, spawnHigherOrder } from "./bugs.ts"
import { saveTrajectory, trajectoryPath } from "./trajectoryStore.ts"

const now = () => new Date().toISOString()

const failedInjection = (ctx: PlayContext, round: RoundRow, trajectory: Trajectory, reason: string) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const id = injectorEpisodeId(ctx.runId, round.round)
    yield* bank.putEpisode({
      id, runId: ctx.runId, round: round.round, role: "injector", bugId: null, groupId: `${ctx.runId}:injector`,
      policyVersion: trajectory.policy.version, reward: -1, status: trajectory.status, trajectoryPath: trajectoryPath(ctx.outDir, id),
      emitted: false, createdAt: now()
    })
    yield* bank.putRound({ ...round, status: "done" })
    yield* ctx.onEvent({ kind: "round-done", round: round.round, valid: false, reason, solveRate: null, reward: -1 })
  })

/** Injection: the policy's episode, the artifact written into the bank, the bug and episode recorded. */
const injectStep = (ctx: PlayContext, round: RoundRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const policy = yield* Policy
    const env = ctx.envs.get(round.repo)!
    const episodeId = injectorEpisodeId(ctx.runId, round.round)
    const file = trajectoryPath(ctx.outDir, episodeId)
    const result = yield* injectBug({
      env, game: ctx.game, strategy: round.strategy as "removal", seed: round.seed,
      onStep: (t) => saveTrajectory(file, t)
    })
    yield* saveTrajectory(file, result.trajectory)
    if (result.artifact === undefined) return yield* failedInjection(ctx, round, result.trajectory, `no submission (${result.trajectory.status})`)
    const bugId = roundBugId(ctx.runId, round.round)
    const dir = join(ctx.outDir, "bugs", bugId)
    const artifact: BugArtifact = { ...result.artifact, extraLayers: [] }
    const normalisedHash = stateHashOf(artifact.bugInjectDiff) ?? `unparsable:${bugId}`
    const metadata: ArtifactMetadata = {
      schemaVersion: 1, id: bugId, repo: env.profile.name, rev: env.rev, strategy: round.strategy,
      policy: { name: policy.name, version: result.trajectory.policy.version }, seed: round.seed, order: 1,
      createdAt: now(), hashes: { bugInject: stateHashOf(artifact.bugInjectDiff) ?? "", testWeaken: stateHashOf(artifact.testWeakenDiff) ?? "", normalised: normalisedHash },
      locations: []
    }
    yield* writeArtifactDir(dir, artifact, metadata)
    const bug: BugRow = {
      id: bugId, runId: ctx.runId, repo: env.profile.name, rev: env.rev, strategy: round.strategy, policyName: policy.name,
      policyVersion: result.trajectory.policy.version, seed: round.seed, parent: null, order: 1, dir, normalisedHash,
      createdAt: now(), valid: null, firstFailedCheck: null, checks: [], failingTests: [], baselineTests: [], duplicateOf: null,
      attempts: 0, successes: 0, solveRate: null, band: null, injectorReward: null
    }
    yield* bank.putBug(bug)
    yield* bank.putEpisode({
      id: episodeId, runId: ctx.runId, round: round.round, role: "injector", bugId, groupId: `${ctx.runId}:injector`,
      policyVersion: result.trajectory.policy.version, reward: null, status: result.trajectory.status, trajectoryPath: file,
      emitted: false, createdAt: now()
    })
    yield* bank.putRound({ ...round, status: "injected", bugId })
    yield* ctx.onEvent({ kind: "injected", round: round.round })
  })

/** Validation: the seven checks, then deduplication against the whole bank; invalid bugs end the round. */
const validateStep = (ctx: PlayContext, round: RoundRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const bug = (yield* bank.getBug(round.bugId!))!
    const env = ctx.envs.get(round.repo)!
    const artifact = yield* readBugArtifact(bug)
    const report = yield* validateArtifact({
      artifact, artifactPath: bug.dir, env, thresholds: ctx.game.thresholds, limits: ctx.limits,
      concurrency: ctx.game.concurrency.sandboxes
    })
    yield* ctx.writeJson(join(bug.dir, "validation.json"), report)
    const duplicate = report.valid ? yield* bank.findByHash(bug.normalisedHash) : undefined
    const duplicateOf = duplicate !== undefined && duplicate.id !== bug.id ? duplicate.id : null
    const validated: BugRow = {
      ...bug, valid: report.valid, firstFailedCheck: report.firstFailedCheck, checks: report.checks,
      failingTests: report.failingTests, baselineTests: report.baselineTests, duplicateOf
    }
    if (!report.valid || duplicateOf !== null) {
      const reward = injectorReward({ valid: false, solveRate: null, alpha: ctx.game.alpha })
      yield* bank.putBug({ ...validated, injectorReward: reward })
      yield* setInjectorReward(ctx, round, reward)
      yield* bank.putRound({ ...round, status: "done" })
      const reason = duplicateOf !== null ? `duplicate of ${duplicateOf}` : `failed ${report.firstFailedCheck}`
      return yield* ctx.onEvent({ kind: "round-done", round: round.round, valid: false, reason, solveRate: null, reward })
    }
    yield* bank.putBug(validated)
    yield* bank.putRound({ ...round, status: "validated" })
    yield* ctx.onEvent({ kind: "validated", round: round.round })
  })

const setInjectorReward = (ctx: PlayContext, round: RoundRow, reward: number) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const id = injectorEpisodeId(ctx.runId, round.round)
    const episode = (yield* bank.episodes(ctx.runId)).find((e) => e.id === id)
    if (episode !== undefined) yield* bank.putEpisode({ ...episode, reward })
  })

/** Solving: G attempts (those not yet recorded), then the solve rate, rewards and higher-order bugs. */
const solveStep = (ctx: PlayContext, round: RoundRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const bug = (yield* bank.getBug(round.bugId!))!
    yield* solveBugAttempts(ctx, round.round, bug)
    const scored = yield* scoreBug(ctx, bug)
    const reward = injectorReward({ valid: true, solveRate: scored.solveRate, alpha: ctx.game.alpha })
    yield* bank.putBug({ ...scored, injectorReward: reward })
    yield* setInjectorReward(ctx, round, reward)
    yield* bank.putRound({ ...round, status: "solved" })
  })

const higherOrderStep = (ctx: PlayContext, round: RoundRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const bug = (yield* bank.getBug(round.bugId!))!
    for (const child of yield* spawnHigherOrder(ctx, bug)) {
      yield* solveBugAttempts(ctx, round.round, child)
      yield* bank.putBug(yield* scoreBug(ctx, child))
    }
    yield* bank.putRound({ ...round, status: "done" })
    const final = (yield* bank.getBug(bug.id))!
    yield* ctx.onEvent({ kind: "round-done", round: round.round, valid: true, reason: "", solveRate: final.solveRate, reward: final.injectorReward })
  })

/**
 * Plays (or resumes) one round: inject → validate → solve → score → higher-order. Each step starts from what
 * the bank recorded, so a round killed anywhere resumes without losing or repeating recorded work.
 */
export const playRound = (ctx: PlayContext, initial: RoundRow) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const current = () => bank.rounds(ctx.runId).pipe(Effect.map((rs) => rs.find((r) => r.round === initial.round) ?? initial))
    yield* bank.putRound(yield* current())
    yield* ctx.onEvent({ kind: "round-start", round: initial.round, repo: initial.repo, strategy: initial.strategy })
    for (;;) {
      const round = yield* current()
      switch (round.status) {
        case "started":
          yield* injectStep(ctx, round)
          break
        case "injected":
          yield* validateStep(ctx, round)
          break
        case "validated":
          yield* solveStep(ctx, round)
          break
        case "solved":
          yield* higherOrderStep(ctx, round)
          break
        case "done":
          return
      }
    }
  })
