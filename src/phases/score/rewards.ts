/**
 * Rewards of GAME.md §4 as pure functions.
 *   Solver, per attempt: +1 when every parsed oracle test passes and none is missing, else −1.
 *   Injector (Eq. 1), per artifact, with solve rate s = successes ÷ attempts:
 *     −1 if any consistency check failed; −α if s = 0 or s = 1; 1 − (1 + α)·s if 0 < s < 1.
 */
export const solverReward = (success: boolean): number => (success ? 1 : -1)

export const solveRate = (successes: number, attempts: number): number => {
  if (attempts <= 0) throw new RangeError("a solve rate needs at least one attempt")
  return successes / attempts
}

export const injectorReward = (input: { readonly valid: boolean; readonly solveRate: number | null; readonly alpha: number }): number => {
  if (!input.valid || input.solveRate === null) return -1
  const s = input.solveRate
  if (s === 0 || s === 1) return -input.alpha
  return 1 - (1 + input.alpha) * s
}

/** Curriculum band of a bug by its solve rate (GAME.md §8): too hard, in band, too easy. */
export type Band = "too-hard" | "in-band" | "too-easy"
export const bandOf = (s: number): Band => (s === 0 ? "too-hard" : s === 1 ? "too-easy" : "in-band")
