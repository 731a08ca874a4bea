import { Effect } from "effect"
import { WorkerPool } from "../../../pool/WorkerPool.ts"
import { CANONICAL_FLIP } from "../ast/operators.ts"
import type { MutationSite, RepairEdit, RepairHints, RepairKind } from "../ast/types.ts"
import type { Random } from "../random.ts"
import type { Localisation } from "./localise.ts"
import { matchesValueHints } from "./valueHints.ts"

/*
 * Repair candidates and how the solver draws them. Tiers say how strongly localisation points at a candidate:
 * 0 near stack-trace lines, 1 inside functions the spec calls, 2 anywhere the failing tests executed. A draw is
 * proportional to tier weight × kind prior ÷ (candidates of that kind in that tier): each kind of fix gets its
 * prior share of a tier whatever the number of its candidates (a function has many constants, few bare
 * `return`s), so a rare, telling candidate is not drowned by many cheap ones. Draws are seeded; different
 * attempts explore different candidates, which is what spreads solve rates between 0 and 1.
 */

export interface RankedEdit {
  readonly edit: RepairEdit
  readonly tier: number
  readonly key: string
  /** Unnormalised draw weight. */
  readonly weight: number
}

/** Share of the draw each tier gets (before normalisation over the tiers present). */
const TIER_WEIGHTS: ReadonlyArray<number> = [4, 3, 1]

/**
 * Inside a kind, the most common form of the mistake counts this much more: the canonical operator partner
 * (`<` for `<=`, `===` for `!==`), the plainest negation, an integer one lower. These are also the exact inverses
 * of the injector's own direct mutations (ast/operators.ts).
 */
const CANONICAL_BOOST = 3

/** Prior over what the fix looks like (the injector's mix of mutations, removals and reverts). */
const KIND_PRIORS: Readonly<Record<RepairKind, number>> = {
  "swap-operator": 0.25,
  "negate-condition": 0.25,
  "change-constant": 0.2,
  "restore-return-value": 0.12,
  "add-return": 0.08,
  "insert-sibling-statement": 0.05,
  "restore-body": 0.05
}

/** Fixes that give a value back, made likelier when failures show `undefined` where a value was expected. */
const VALUE_KINDS: ReadonlySet<RepairKind> = new Set(["add-return", "restore-return-value", "restore-body"])
const VALUE_LOST_BOOST = 4

/**
 * A literal change that writes back exactly what the failures' expected values miss is far likelier than its
 * siblings; applied after the per-kind share, so it stands out.
 */
const VALUE_MATCH_BOOST = 8

/** Fixes that change an existing expression; they only matter on a line the failing tests executed. */
const IN_PLACE_KINDS: ReadonlySet<RepairKind> = new Set(["swap-operator", "negate-condition", "change-constant", "restore-return-value"])

/** Longer differing values are prose, not a literal a fix writes back. */
const MAX_HINT_STRING = 40

/** Per file and tier, at most this many candidates (best first). */
const PER_FILE_LIMIT = 500

const isCanonical = (edit: RepairEdit, shortestNegation: ReadonlyMap<string, number>): boolean => {
  switch (edit.kind) {
    case "swap-operator":
      return CANONICAL_FLIP[edit.original] === edit.replacement
    case "negate-condition":
      return shortestNegation.get(`${edit.file}:${edit.start}:${edit.end}`) === edit.replacement.length
    case "change-constant":
      if (!/^\d+$/.test(edit.original)) return false
      return edit.replacement === (edit.original === "0" ? "1" : String(Number(edit.original) - 1))
    default:
      return false
  }
}

const editKey = (edit: RepairEdit): string => `${edit.file}|${edit.line}|${edit.original}|${edit.replacement}`

export const rankRepairs = Effect.fn("rankRepairs")(function*(texts: ReadonlyMap<string, string>, localisation: Localisation) {
  const pool = yield* WorkerPool
  const requests: Array<{ tier: number; path: string; hints: RepairHints }> = []
  for (const [path, lines] of localisation.traceLines) if (texts.has(path)) requests.push({ tier: 0, path, hints: { lines: [...lines] } })
  const coveredFiles = [...localisation.covered.keys()].filter((f) => texts.has(f)).sort()
  if (localisation.symbols.length > 0) {
    for (const path of coveredFiles) requests.push({ tier: 1, path, hints: { symbols: localisation.symbols } })
  }
  for (const path of coveredFiles) {
    requests.push({ tier: 2, path, hints: { lines: [...(localisation.covered.get(path) ?? [])].sort((a, b) => a - b) } })
  }
  if (requests.length === 0) return []
  const strings = localisation.values.missing.filter((value) => value.length <= MAX_HINT_STRING)
  const output = yield* pool.run("listRepairs", {
    items: requests.map((r) => ({ file: { path: r.path, text: texts.get(r.path) ?? "" }, hints: strings.length > 0 ? { ...r.hints, strings } : r.hints })),
    limit: PER_FILE_LIMIT
  })
  const seen = new Set<string>()
  const found: Array<{ edit: RepairEdit; tier: number; key: string }> = []
  output.results.forEach((result, index) => {
    const tier = requests[index]?.tier ?? 2
    const executed = localisation.covered.get(requests[index]?.path ?? "")
    for (const edit of result.edits) {
      const key = editKey(edit)
      if (seen.has(key)) continue
      if (tier > 0 && executed !== undefined && IN_PLACE_KINDS.has(edit.kind) && !executed.has(edit.line)) continue
      seen.add(key)
      found.push({ edit, tier, key })
    }
  })
  const shortestNegation = new Map<string, number>()
  for (const { edit } of found) {
    if (edit.kind !== "negate-condition") continue
    const site = `${edit.file}:${edit.start}:${edit.end}`
    shortestNegation.set(site, Math.min(shortestNegation.get(site) ?? Number.MAX_SAFE_INTEGER, edit.replacement.length))
  }
  const form = (edit: RepairEdit) => (isCanonical(edit, shortestNegation) ? CANONICAL_BOOST : 1)
  const perKind = new Map<string, number>()
  for (const f of found) perKind.set(`${f.tier}:${f.edit.kind}`, (perKind.get(`${f.tier}:${f.edit.kind}`) ?? 0) + form(f.edit))
  const weighted = found.map((f): RankedEdit => {
    // Near a trace line, closer is likelier; elsewhere distance is 0 inside the focused functions anyway.
    const nearness = f.tier === 0 ? 1 / (1 + Math.min(f.edit.distance, 50) / 3) : 1
    const prior = KIND_PRIORS[f.edit.kind] * (localisation.valueLost && VALUE_KINDS.has(f.edit.kind) ? VALUE_LOST_BOOST : 1)
    const share = (prior * form(f.edit)) / (perKind.get(`${f.tier}:${f.edit.kind}`) ?? 1)
    const valueMatch = f.edit.kind === "change-constant" && matchesValueHints(f.edit.replacement, localisation.values)
    return { ...f, weight: (TIER_WEIGHTS[f.tier] ?? 1) * share * nearness * (valueMatch ? VALUE_MATCH_BOOST : 1) }
  })
  return weighted.sort((a, b) => b.weight - a.weight)
})

/** Draws one candidate not tried yet, with probability proportional to its weight. */
export const drawCandidate = (
  ranked: ReadonlyArray<RankedEdit>,
  tried: ReadonlySet<string>,
  random: Random
): RankedEdit | undefined => {
  const open = ranked.filter((r) => !tried.has(r.key))
  if (open.length === 0) return undefined
  const total = open.reduce((sum, r) => sum + r.weight, 0)
  let target = random.next() * total
  for (const candidate of open) {
    target -= candidate.weight
    if (target <= 0) return candidate
  }
  return open[open.length - 1]
}

/** Lines around a tried edit whose candidates a revealing trial boosts (see boostNear). */
const BOOST_WINDOW = 8

/**
 * Mutation-based localisation: a trial that turned some failing test to passing (even if it broke others or
 * was not kept) touched code on the failing path, so candidates near it become likelier.
 */
export const boostNear = (ranked: ReadonlyArray<RankedEdit>, near: RepairEdit, factor: number): Array<RankedEdit> =>
  ranked.map((r) =>
    r.edit.file === near.file && Math.abs(r.edit.line - near.line) <= BOOST_WINDOW ? { ...r, weight: r.weight * factor } : r
  )

/** A repair edit in the shape the pool's applyMutations task checks and applies (syntax-checked there). */
export const asSite = (edit: RepairEdit): MutationSite => ({
  file: edit.file,
  kind: "flip-operator",
  symbol: "",
  line: edit.line,
  start: edit.start,
  end: edit.end,
  original: edit.original,
  replacement: edit.replacement,
  description: edit.description
})
