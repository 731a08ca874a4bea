import type { GameConfig } from "../domain/game.ts"
import type { EpisodeStatus } from "../domain/trajectory.ts"

/**
 * An agent episode's budgets (GAME.md §9). `tokens` bounds the conversation's length: the prompt plus the
 * completion of the latest turn, i.e. the context the episode occupies (default 131,072, the paper's
 * context). Summed usage over all turns is recorded in the trajectory but not limited.
 */
export interface EpisodeBudgets {
  readonly turns: number
  readonly tokens: number
  readonly seconds: number
  readonly toolTimeoutSeconds: number
}

export const budgetsOf = (game: GameConfig): EpisodeBudgets => ({
  turns: game.budgets.agentTurns,
  tokens: game.budgets.agentTokens,
  seconds: game.budgets.episodeSeconds,
  toolTimeoutSeconds: game.budgets.toolTimeoutSeconds
})

/** What has been spent so far. */
export interface Spent {
  readonly turns: number
  /** Prompt + completion tokens of the latest turn. */
  readonly contextTokens: number
  readonly elapsedMs: number
}

/** The exit status when a budget is used up (checked before each model turn), else undefined. */
export const exhausted = (budgets: EpisodeBudgets, spent: Spent): EpisodeStatus | undefined => {
  if (spent.elapsedMs >= budgets.seconds * 1000) return "budget_time"
  if (spent.turns >= budgets.turns) return "budget_turns"
  if (spent.contextTokens >= budgets.tokens) return "budget_tokens"
  return undefined
}

export const remainingMs = (budgets: EpisodeBudgets, spent: Spent): number => Math.max(0, budgets.seconds * 1000 - spent.elapsedMs)

/** Appended to every tool result so the model can plan with what is left. */
export const budgetNotice = (budgets: EpisodeBudgets, spent: Spent): string => {
  const turnsLeft = Math.max(0, budgets.turns - spent.turns)
  const tokensLeft = Math.max(0, budgets.tokens - spent.contextTokens)
  const secondsLeft = Math.floor(remainingMs(budgets, spent) / 1000)
  return `[remaining budget: ${turnsLeft} of ${budgets.turns} turns, about ${tokensLeft} of ${budgets.tokens} context tokens, ${secondsLeft} of ${budgets.seconds} s]`
}
