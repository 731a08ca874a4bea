import { makeRandom, type Seed } from "../random.ts"
import { splice, syntaxErrors } from "./source.ts"
import type { MutationKind, MutationResult, MutationSite, SourceText } from "./types.ts"

/**
 * Applies one site to the text it was listed from. Fails (never throws) when the site does not fit the text
 * any more or the result would not parse. Bytes outside [site.start, site.end) are unchanged.
 */
export const applyMutation = (file: SourceText, site: MutationSite): MutationResult =>
  applyMutations(file, [site])

/** Applies several non-overlapping sites of one file at once (one syntax check). */
export const applyMutations = (file: SourceText, sites: ReadonlyArray<MutationSite>): MutationResult => {
  if (sites.length === 0) return { ok: false, reason: "no sites" }
  const ordered = [...sites].sort((a, b) => b.start - a.start)
  let text = file.text
  let previousStart = Number.POSITIVE_INFINITY
  for (const site of ordered) {
    if (site.file !== file.path) return { ok: false, reason: `site is for ${site.file}, not ${file.path}` }
    if (site.end > previousStart) return { ok: false, reason: `overlapping sites at ${site.file}:${site.line}` }
    if (file.text.slice(site.start, site.end) !== site.original) {
      return { ok: false, reason: `stale site at ${site.file}:${site.line}: the text there changed` }
    }
    text = splice(text, site.start, site.end, site.replacement)
    previousStart = site.start
  }
  if (text === file.text) return { ok: false, reason: "the mutation does not change the text" }
  const errors = syntaxErrors(file.path, text)
  if (errors.length > 0) return { ok: false, reason: `the mutated file does not parse: ${errors.slice(0, 3).join("; ")}` }
  return { ok: true, text, description: ordered.reverse().map((s) => s.description).join("; ") }
}

export interface ChooseOptions {
  readonly seed: Seed
  /** How many sites to return (at least minFiles when that many files have sites). */
  readonly count: number
  /** Distinct files to spread over when possible (GAME.md min_changed_files). */
  readonly minFiles: number
  /** Restrict to these kinds; all kinds of the given sites when omitted. */
  readonly kinds?: ReadonlyArray<MutationKind>
}

export type SitesByFile = ReadonlyMap<string, ReadonlyArray<MutationSite>> | Readonly<Record<string, ReadonlyArray<MutationSite>>>

const entriesOf = (sitesByFile: SitesByFile): Array<[string, ReadonlyArray<MutationSite>]> =>
  sitesByFile instanceof Map ? [...sitesByFile.entries()] : Object.entries(sitesByFile)

const overlaps = (a: MutationSite, b: MutationSite): boolean => a.start < b.end && b.start < a.end

/**
 * Seeded choice without location bias: files are drawn first (uniformly, in a seeded order), then in each file a
 * kind (uniformly among the kinds present), then a site of that kind. Sites chosen in one file never overlap,
 * so each file's choice can go to applyMutations. Same inputs and seed → same output.
 */
export const chooseMutations = (sitesByFile: SitesByFile, options: ChooseOptions): Array<MutationSite> => {
  const random = makeRandom(options.seed)
  const allowed = options.kinds === undefined ? undefined : new Set(options.kinds)
  const candidates = entriesOf(sitesByFile)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, sites]) => ({ path, sites: sites.filter((s) => allowed === undefined || allowed.has(s.kind)) }))
    .filter((f) => f.sites.length > 0)
  const target = Math.max(options.count, options.minFiles)
  if (candidates.length === 0 || target <= 0) return []
  const files = random.shuffle(candidates).slice(0, Math.min(candidates.length, target))
  const chosenByFile = new Map<string, Array<MutationSite>>()
  const chosen: Array<MutationSite> = []
  const exhausted = new Set<string>()
  while (chosen.length < target && exhausted.size < files.length) {
    for (const file of files) {
      if (chosen.length >= target) break
      if (exhausted.has(file.path)) continue
      const taken = chosenByFile.get(file.path) ?? []
      const free = file.sites.filter((s) => !taken.some((t) => t === s || overlaps(t, s)))
      if (free.length === 0) {
        exhausted.add(file.path)
        continue
      }
      const kinds = [...new Set(free.map((s) => s.kind))].sort()
      const kind = random.pick(kinds)
      const site = random.pick(free.filter((s) => s.kind === kind))
      taken.push(site)
      chosenByFile.set(file.path, taken)
      chosen.push(site)
    }
  }
  return chosen
}

/** Groups chosen sites per file (in first-seen order), ready for applyMutations. */
export const groupSitesByFile = (sites: ReadonlyArray<MutationSite>): Map<string, Array<MutationSite>> => {
  const groups = new Map<string, Array<MutationSite>>()
  for (const site of sites) {
    const group = groups.get(site.file) ?? []
    group.push(site)
    groups.set(site.file, group)
  }
  return groups
}
