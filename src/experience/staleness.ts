import type { GameConfig } from "../domain/game.ts"
import type { ExperienceRecord } from "../domain/experience.ts"

/*
 * Staleness rule (GAME.md §9: rollouts more than 8 policy versions old are dropped).
 * A version is an integer ("42") or a string ending in one ("ckpt-42", "step_000042"); that trailing
 * integer is its ordinal and any prefix is ignored. An episode sampled with version v is `stale` at emit
 * time when current − v > staleness.maxVersions. Versions without a trailing integer cannot be ordered, so
 * a record carrying one (or emitted while the current version is unknown) is never marked stale.
 * With action "drop", stale episodes are not emitted; with "mark", they are emitted with stale = true.
 * Bug-task records are tasks, not rollouts: they are always kept.
 */

const TRAILING_INTEGER = /(\d+)$/

/** The ordinal of a version, or undefined when it has no trailing integer. */
export const versionOrdinal = (version: string): number | undefined => {
  const match = TRAILING_INTEGER.exec(version.trim())
  return match === null ? undefined : Number(match[1])
}

/** How many versions `sampled` is behind `current`; undefined when either cannot be ordered. */
export const versionsBehind = (current: string, sampled: string): number | undefined => {
  if (current === sampled) return 0
  const a = versionOrdinal(current)
  const b = versionOrdinal(sampled)
  return a === undefined || b === undefined ? undefined : a - b
}

export const isStale = (current: string, sampled: string, maxVersions: number): boolean => {
  const behind = versionsBehind(current, sampled)
  return behind !== undefined && behind > maxVersions
}

export interface StalenessOutcome {
  readonly kept: ReadonlyArray<ExperienceRecord>
  readonly dropped: ReadonlyArray<ExperienceRecord>
}

/** Marks (or drops) stale episode records against the current version; `current` undefined keeps all. */
export const applyStaleness = (
  records: ReadonlyArray<ExperienceRecord>,
  current: string | undefined,
  staleness: GameConfig["staleness"]
): StalenessOutcome => {
  const kept: Array<ExperienceRecord> = []
  const dropped: Array<ExperienceRecord> = []
  for (const record of records) {
    if (record.kind !== "episode" || current === undefined) {
      kept.push(record)
      continue
    }
    const stale = record.stale || isStale(current, record.policyVersion, staleness.maxVersions)
    if (stale && staleness.action === "drop") dropped.push(record)
    else kept.push({ ...record, stale })
  }
  return { kept, dropped }
}
