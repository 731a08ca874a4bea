import { Effect } from "effect"
import { BugBank, type RoundRow } from "../bank/BugBank.ts"
import type { PlayContext } from "./context.ts"
import { emitRound } from "./emit.ts"
import { deriveSeed, sampleStrategy } from "./ids.ts"
import { playRound } from "./round.ts"
import { summariseRun } from "./summary.ts"

export interface RunPlan {
  readonly runId: string
  /** Profile names, played round-robin. */
  readonly repos: ReadonlyArray<string>
  readonly rounds: number
  readonly seed: number
}

/** The round a plan assigns to an index: repo round-robin, strategy drawn by weight, seed derived. */
export const plannedRound = (ctx: PlayContext, plan: RunPlan, index: number): RoundRow => {
  const seed = deriveSeed(plan.seed, plan.runId, index)
  return {
    runId: plan.runId,
    round: index,
    repo: plan.repos[index % plan.repos.length]!,
    strategy: sampleStrategy(ctx.game.strategies, deriveSeed(seed, "strategy")),
    seed,
    status: "started",
    bugId: null
  }
}

/**
 * Plays the plan's rounds in order, skipping rounds the bank records as done and resuming any round that
 * was cut short. Returns the run's summary from the bank.
 */
export const playRun = (ctx: PlayContext, plan: RunPlan) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    const recorded = new Map((yield* bank.rounds(plan.runId)).map((r) => [r.round, r]))
    for (let index = 0; index < plan.rounds; index++) {
      const existing = recorded.get(index)
      if (existing?.status !== "done") yield* playRound(ctx, existing ?? plannedRound(ctx, plan, index))
      const finished = (yield* bank.rounds(plan.runId)).find((r) => r.round === index)
      if (finished !== undefined) yield* emitRound(ctx, finished)
    }
    return yield* runSummary(plan.runId)
  })

export const runSummary = (runId: string) =>
  Effect.gen(function*() {
    const bank = yield* BugBank
    return summariseRun(yield* bank.rounds(runId), yield* bank.queryBugs({ runId }), yield* bank.episodes(runId))
  })
