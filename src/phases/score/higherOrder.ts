import { diffHash } from "../../diff/index.ts"

export interface FailedAttempt {
  readonly index: number
  readonly success: boolean
  readonly failedTests: ReadonlyArray<string>
  /** Hash of the judged code state (its diff from the original, oracle tests restored); null if unknown. */
  readonly stateHash: string | null
  readonly patch: string
}

export interface HigherOrderCandidate {
  readonly attemptIndex: number
  readonly patch: string
  readonly stateHash: string
}

/** Dedup key of a code state: the normalised-diff hash of its diff from the original. */
export const stateHashOf = (diff: string): string | undefined => {
  const hashed = diffHash(diff)
  return hashed.ok ? hashed.hash : undefined
}

/**
 * Which failed attempts become higher-order bugs (GAME.md §6, [ours]): attempts that failed, still fail at least
 * one oracle test (not only missing ones), leave a code state different from their parent's, are not duplicates
 * of each other, and only while the child order stays within max_order; at most `limit`, in attempt order.
 */
export const selectHigherOrder = (input: {
  readonly parentOrder: number
  readonly parentStateHash: string
  readonly maxOrder: number
  readonly limit: number
  readonly attempts: ReadonlyArray<FailedAttempt>
}): Array<HigherOrderCandidate> => {
  if (input.parentOrder + 1 > input.maxOrder || input.limit <= 0) return []
  const seen = new Set<string>([input.parentStateHash])
  const chosen: Array<HigherOrderCandidate> = []
  for (const attempt of [...input.attempts].sort((a, b) => a.index - b.index)) {
    if (attempt.success || attempt.failedTests.length === 0 || attempt.patch.trim() === "") continue
    const stateHash = attempt.stateHash
    if (stateHash === null || seen.has(stateHash)) continue
    seen.add(stateHash)
    chosen.push({ attemptIndex: attempt.index, patch: attempt.patch, stateHash })
    if (chosen.length >= input.limit) break
  }
  return chosen
}
