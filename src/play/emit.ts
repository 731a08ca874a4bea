import { Effect } from "effect"
import { BugBank, type RoundRow } from "../bank/BugBank.ts"
import type { BugTaskRecord, EpisodeRecord, ExperienceRecord } from "../domain/experience.ts"
import { ExperienceSink } from "../experience/ExperienceSink.ts"
import type { PlayContext } from "./context.ts"
import { readBugArtifact } from "./bugs.ts"
import { loadTrajectory } from "./trajectoryStore.ts"

/**
 * Ships a finished round's experience: every episode with its reward (injector and solvers, higher-order
 * included) and the round's higher-order bugs as tasks. At least once: episodes are marked emitted only after
 * the sink has them durably, so a crash in between re-emits the same ids on resume (consumers dedup by id).
 */
export const emitRound = (ctx: PlayContext, round: RoundRow) =>
  Effect.gen(function*() {
    if (round.status !== "done") return
    const bank = yield* BugBank
    const sink = yield* ExperienceSink
    const pending = (yield* bank.episodes(ctx.runId)).filter((e) => e.round === round.round && !e.emitted && e.reward !== null)
    if (pending.length === 0) return
    const records: Array<ExperienceRecord> = []
    for (const episode of pending) {
      const trajectory = yield* loadTrajectory(episode.trajectoryPath)
      const record: EpisodeRecord = {
        schemaVersion: 1, kind: "episode", id: episode.id, runId: ctx.runId, role: episode.role, groupId: episode.groupId,
        bugId: episode.bugId, repo: round.repo, policyVersion: episode.policyVersion, stale: false, reward: episode.reward!,
        status: trajectory?.status ?? (episode.status as EpisodeRecord["status"]), messages: trajectory?.messages ?? [], createdAt: episode.createdAt
      }
      records.push(record)
    }
    const children = round.bugId === null ? [] : (yield* bank.queryBugs({ runId: ctx.runId })).filter((b) => b.order > 1 && b.id.startsWith(`${round.bugId}-`))
    for (const child of children) {
      const artifact = yield* readBugArtifact(child)
      const task: BugTaskRecord = {
        schemaVersion: 1, kind: "bug", id: child.id, runId: ctx.runId, repo: child.repo, rev: child.rev, order: child.order,
        parent: child.parent, strategy: child.strategy, policyVersion: child.policyVersion,
        files: {
          testScript: artifact.testScript, testFiles: [...artifact.testFiles], testParser: artifact.testParser,
          bugInjectDiff: artifact.bugInjectDiff, testWeakenDiff: artifact.testWeakenDiff, extraLayers: [...artifact.extraLayers]
        },
        solveRate: child.solveRate, createdAt: child.createdAt
      }
      records.push(task)
    }
    yield* sink.emit(records)
    yield* bank.markEmitted(pending.map((e) => e.id))
  })
