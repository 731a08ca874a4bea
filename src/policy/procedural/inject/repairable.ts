import { Effect } from "effect"
import { WorkerPool, type WorkerTaskError } from "../../../pool/WorkerPool.ts"
import type { MutationSite } from "../ast/types.ts"
import { makeRandom } from "../random.ts"

/*
 * Difficulty targeting for removals. Most removed statements and bodies are beyond a template solver (GAME.md §4:
 * a bug nobody solves earns the injector −α, like one everybody solves). A removal whose exact inverse is one of
 * the repair candidates in its function can be solved by some attempts and missed by others. The injector
 * checks this per site in the worker pool (apply, list repairs hinted at the site's function, look for an edit
 * that gives the original text back) and prefers such sites on part of its attempts.
 */

/** At most this many sites are checked per injection (a seeded sample), to bound the AST work. */
const MAX_CHECKED_SITES = 400
const BATCH = 40

const siteId = (site: MutationSite): string => `${site.file}:${site.start}:${site.end}`

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const out: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Ids (file:start:end) of the sites whose mutation the solver's repair vocabulary can undo exactly. */
export const repairableSites = (
  sitesByFile: Readonly<Record<string, ReadonlyArray<MutationSite>>>,
  texts: ReadonlyMap<string, string>,
  seed: number
): Effect.Effect<Set<string>, WorkerTaskError, WorkerPool> =>
  Effect.gen(function*() {
    const pool = yield* WorkerPool
    const all = Object.values(sitesByFile).flat().filter((s) => texts.has(s.file))
    const sites = makeRandom(`${seed}:repairable`).sample(all, MAX_CHECKED_SITES)
    const mutated = (yield* Effect.forEach(chunks(sites, BATCH), (batch) =>
      pool.run("applyMutations", { items: batch.map((site) => ({ file: { path: site.file, text: texts.get(site.file) ?? "" }, sites: [site] })) })
        .pipe(Effect.map((out) => batch.map((site, i) => ({ site, result: out.results[i]?.result })))), { concurrency: pool.threads })).flat()
    const checkable = mutated.flatMap(({ site, result }) => (result?.ok === true ? [{ site, text: result.text }] : []))
    const repairable = new Set<string>()
    yield* Effect.forEach(chunks(checkable, BATCH), (batch) =>
      pool.run("listRepairs", {
        items: batch.map(({ site, text }) => ({ file: { path: site.file, text }, hints: { symbols: [site.symbol] } })),
        limit: 300
      }).pipe(Effect.map((out) => {
        batch.forEach(({ site, text }, i) => {
          const original = texts.get(site.file)
          const restores = (out.results[i]?.edits ?? []).some((e) =>
            text.slice(e.start, e.end) === e.original && text.slice(0, e.start) + e.replacement + text.slice(e.end) === original
          )
          if (restores) repairable.add(siteId(site))
        })
      })), { concurrency: pool.threads, discard: true })
    return repairable
  })

/** The sites of `sitesByFile` whose ids are in `ids` (files left without sites are dropped). */
export const onlySites = (
  sitesByFile: Readonly<Record<string, ReadonlyArray<MutationSite>>>,
  ids: ReadonlySet<string>
): Record<string, ReadonlyArray<MutationSite>> =>
  Object.fromEntries(
    Object.entries(sitesByFile)
      .map(([file, sites]) => [file, sites.filter((s) => ids.has(siteId(s)))] as const)
      .filter(([, sites]) => sites.length > 0)
  )
