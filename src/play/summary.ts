import type { BugRow, EpisodeRow, RoundRow } from "../bank/BugBank.ts"

/** The closing numbers of a run, computed from the bank alone (so a resumed run reports on all its rounds). */
export interface RunSummary {
  readonly rounds: number
  readonly injections: number
  readonly valid: number
  readonly duplicates: number
  readonly failedChecks: Readonly<Record<string, number>>
  readonly noSubmission: number
  readonly strategies: Readonly<Record<string, { readonly injected: number; readonly valid: number }>>
  readonly solveRateHistogram: ReadonlyArray<{ readonly label: string; readonly count: number }>
  readonly injectorRewardHistogram: ReadonlyArray<{ readonly label: string; readonly count: number }>
  readonly inBand: number
  readonly higherOrder: ReadonlyArray<{ readonly id: string; readonly parent: string; readonly order: number; readonly solveRate: number | null }>
  readonly solverSuccessRate: number | null
}

const SOLVE_BINS: ReadonlyArray<readonly [string, (s: number) => boolean]> = [
  ["s = 0", (s) => s === 0],
  ["0 < s ≤ 0.25", (s) => s > 0 && s <= 0.25],
  ["0.25 < s ≤ 0.5", (s) => s > 0.25 && s <= 0.5],
  ["0.5 < s < 1", (s) => s > 0.5 && s < 1],
  ["s = 1", (s) => s === 1]
]

const REWARD_BINS: ReadonlyArray<readonly [string, (r: number) => boolean]> = [
  ["−1 (invalid)", (r) => r === -1],
  ["(−1, −0.5]", (r) => r > -1 && r <= -0.5],
  ["(−0.5, 0]", (r) => r > -0.5 && r <= 0],
  ["(0, 0.5]", (r) => r > 0 && r <= 0.5],
  ["(0.5, 1]", (r) => r > 0.5]
]

const histogram = <A>(values: ReadonlyArray<A>, bins: ReadonlyArray<readonly [string, (v: A) => boolean]>) =>
  bins.map(([label, test]) => ({ label, count: values.filter(test).length }))

export const summariseRun = (rounds: ReadonlyArray<RoundRow>, bugs: ReadonlyArray<BugRow>, episodes: ReadonlyArray<EpisodeRow>): RunSummary => {
  const firstOrder = bugs.filter((b) => b.order === 1)
  const valid = firstOrder.filter((b) => b.valid === true && b.duplicateOf === null)
  const failedChecks: Record<string, number> = {}
  for (const b of firstOrder) if (b.valid === false && b.firstFailedCheck !== null) failedChecks[b.firstFailedCheck] = (failedChecks[b.firstFailedCheck] ?? 0) + 1
  const strategies: Record<string, { injected: number; valid: number }> = {}
  for (const b of firstOrder) {
    const entry = (strategies[b.strategy] ??= { injected: 0, valid: 0 })
    entry.injected++
    if (b.valid === true && b.duplicateOf === null) entry.valid++
  }
  const injectorRewards = episodes.filter((e) => e.role === "injector" && e.reward !== null).map((e) => e.reward!)
  const solved = valid.filter((b) => b.solveRate !== null).map((b) => b.solveRate!)
  const solverEpisodes = episodes.filter((e) => e.role === "solver" && e.reward !== null)
  return {
    rounds: rounds.filter((r) => r.status === "done").length,
    injections: firstOrder.length,
    valid: valid.length,
    duplicates: firstOrder.filter((b) => b.duplicateOf !== null).length,
    failedChecks,
    noSubmission: episodes.filter((e) => e.role === "injector" && e.bugId === null).length,
    strategies,
    solveRateHistogram: histogram(solved, SOLVE_BINS),
    injectorRewardHistogram: histogram(injectorRewards, REWARD_BINS),
    inBand: solved.filter((s) => s > 0 && s < 1).length,
    higherOrder: bugs.filter((b) => b.order > 1).map((b) => ({ id: b.id, parent: b.parent ?? "", order: b.order, solveRate: b.solveRate })),
    solverSuccessRate: solverEpisodes.length === 0 ? null : solverEpisodes.filter((e) => e.reward === 1).length / solverEpisodes.length
  }
}

const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(0)}%`)
const bar = (count: number, max: number) => "█".repeat(max === 0 ? 0 : Math.round((20 * count) / max))

export const renderSummary = (s: RunSummary): string => {
  const lines = [
    `rounds: ${s.rounds}   injections: ${s.injections} (+${s.noSubmission} without a submission)   valid: ${s.valid} (${pct(s.valid, s.injections + s.noSubmission)})   duplicates: ${s.duplicates}`,
    `strategies: ${Object.entries(s.strategies).map(([k, v]) => `${k} ${v.valid}/${v.injected} valid`).join(", ") || "–"}`,
    `failed checks: ${Object.entries(s.failedChecks).map(([k, v]) => `${k} ×${v}`).join(", ") || "none"}`,
    `valid bugs with 0 < s < 1: ${s.inBand} of ${s.solveRateHistogram.reduce((a, b) => a + b.count, 0)}   solver success rate: ${s.solverSuccessRate === null ? "–" : pct(s.solverSuccessRate, 1)}`,
    "solve rate:"
  ]
  const maxSolve = Math.max(0, ...s.solveRateHistogram.map((b) => b.count))
  for (const b of s.solveRateHistogram) lines.push(`  ${b.label.padEnd(16)} ${String(b.count).padStart(4)} ${bar(b.count, maxSolve)}`)
  lines.push("injector reward:")
  const maxReward = Math.max(0, ...s.injectorRewardHistogram.map((b) => b.count))
  for (const b of s.injectorRewardHistogram) lines.push(`  ${b.label.padEnd(16)} ${String(b.count).padStart(4)} ${bar(b.count, maxReward)}`)
  lines.push(`higher-order bugs: ${s.higherOrder.length}`)
  for (const h of s.higherOrder.slice(0, 10)) lines.push(`  ${h.id} (order ${h.order}, parent ${h.parent}, s = ${h.solveRate === null ? "–" : h.solveRate.toFixed(2)})`)
  if (s.higherOrder.length > 10) lines.push(`  … and ${s.higherOrder.length - 10} more`)
  return lines.join("\n")
}
