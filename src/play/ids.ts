import { createHash, randomBytes } from "node:crypto"
import type { Strategy } from "../domain/game.ts"

/** A 31-bit seed derived from its parts: the same parts always give the same seed (resume replays exactly). */
export const deriveSeed = (...parts: ReadonlyArray<string | number>): number =>
  createHash("sha256").update(parts.join(":")).digest().readUInt32BE(0) & 0x7fffffff

export const newRunId = (now: Date): string =>
  `run-${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-")}-${randomBytes(2).toString("hex")}`

export const roundBugId = (runId: string, round: number) => `${runId}-r${round}`
export const childBugId = (parentId: string, attemptIndex: number) => `${parentId}-a${attemptIndex}`
export const injectorEpisodeId = (runId: string, round: number) => `${runId}-r${round}-inject`
export const solverEpisodeId = (bugId: string, index: number) => `${bugId}-solve${index}`

/** Draws a strategy by weight with a seed (GAME.md §7: the paper's default samples per injection). */
export const sampleStrategy = (weights: Partial<Record<Strategy, number>>, seed: number): Strategy => {
  const entries = (Object.entries(weights) as Array<[Strategy, number]>).filter(([, w]) => w > 0).sort(([a], [b]) => a.localeCompare(b))
  const total = entries.reduce((sum, [, w]) => sum + w, 0)
  let point = ((seed % 1_000_003) / 1_000_003) * total
  for (const [strategy, weight] of entries) {
    if (point < weight) return strategy
    point -= weight
  }
  return entries[entries.length - 1]![0]
}
