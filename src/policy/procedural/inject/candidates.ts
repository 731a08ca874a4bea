import { Effect } from "effect"
import type { SandboxError } from "../../../domain/errors.ts"
import { listSitesAcross, WorkerPool, type WorkerTaskError } from "../../../pool/WorkerPool.ts"
import type { Sandbox } from "../../../sandbox/Sandbox.ts"
import { chooseMutations, groupSitesByFile } from "../ast/mutate.ts"
import type { MutationKind, MutationSite } from "../ast/types.ts"
import { makeRandom } from "../random.ts"
import { writeRepoTexts } from "../sandboxFiles.ts"
import { onlySites, repairableSites } from "./repairable.ts"

/** A candidate bug, already applied to the sandbox's working tree. */
export interface AppliedCandidate {
  readonly description: string
  /** Code files it changed (restore them to undo it). */
  readonly files: ReadonlyArray<string>
  readonly detail: Record<string, unknown>
}

/** Produces the attempt-th candidate of one injection, or undefined when it has nothing (more) to offer. */
export interface CandidateSource {
  readonly label: string
  next(attempt: number): Effect.Effect<AppliedCandidate | undefined, SandboxError | WorkerTaskError, WorkerPool>
}

export interface AstSourceInput {
  readonly sandbox: Sandbox
  /** Original texts of the exercised code files. */
  readonly texts: ReadonlyMap<string, string>
  readonly exercised: ReadonlyMap<string, ReadonlySet<number>>
  readonly kinds: ReadonlyArray<MutationKind>
  /** Sites per candidate, and distinct files to spread them over when possible. */
  readonly count: number
  readonly minFiles: number
  readonly seed: number
  readonly label: string
  readonly targetFiles?: ReadonlyArray<string> | undefined
  /**
   * Share of attempts that draw only among sites the solver's repair vocabulary can undo (see repairable.ts);
   * 0 skips the check.
   */
  readonly preferRepairable?: number
}

/** Honours target files when any of them has sites; otherwise every file stays eligible. */
const restrictToTargets = (
  sitesByFile: Readonly<Record<string, ReadonlyArray<MutationSite>>>,
  targets: ReadonlyArray<string> | undefined
): Record<string, ReadonlyArray<MutationSite>> => {
  const withSites = Object.entries(sitesByFile).filter(([, sites]) => sites.length > 0)
  if (targets === undefined || targets.length === 0) return Object.fromEntries(withSites)
  const wanted = new Set(targets)
  const targeted = withSites.filter(([file]) => wanted.has(file))
  return Object.fromEntries(targeted.length > 0 ? targeted : withSites)
}

const siteKey = (sites: ReadonlyArray<MutationSite>): string =>
  sites.map((s) => `${s.file}:${s.start}:${s.end}:${s.replacement}`).sort().join("|")

/** How many reseeds an attempt may spend looking for a site set it has not tried yet. */
const RESEEDS = 8

/**
 * Mutations of exercised code (removal or direct kinds): sites listed once in the worker pool, a seeded choice
 * per attempt (files first, so no location bias), applied in the pool (syntax-checked), written to the sandbox.
 */
export const astCandidateSource = Effect.fn("astCandidateSource")(function*(input: AstSourceInput) {
  const files = [...input.exercised.entries()].flatMap(([path, lines]) => {
    const text = input.texts.get(path)
    return text === undefined ? [] : [{ path, text, exercisedLines: [...lines] }]
  })
  const listed = yield* listSitesAcross(files, { kinds: input.kinds })
  const sitesByFile = restrictToTargets(listed.sitesByFile, input.targetFiles)
  const tried = new Set<string>()
  const siteCount = Object.values(sitesByFile).reduce((n, sites) => n + sites.length, 0)
  const preferRepairable = input.preferRepairable ?? 0
  const repairable = preferRepairable > 0 ? onlySites(sitesByFile, yield* repairableSites(sitesByFile, input.texts, input.seed)) : {}
  const repairableCount = Object.values(repairable).reduce((n, sites) => n + sites.length, 0)
  const coin = makeRandom(`${input.seed}:${input.label}:prefer-repairable`)

  const next = (attempt: number) =>
    Effect.gen(function*() {
      const pool = yield* WorkerPool
      const targeted = repairableCount > 0 && coin.next() < preferRepairable
      const eligible = targeted ? repairable : sitesByFile
      for (let reseed = 0; reseed < RESEEDS; reseed++) {
        const chosen = chooseMutations(eligible, {
          seed: `${input.seed}:${input.label}:${attempt}:${reseed}`,
          count: input.count,
          minFiles: input.minFiles,
          kinds: input.kinds
        })
        if (chosen.length === 0) return undefined
        const key = siteKey(chosen)
        if (tried.has(key)) continue
        tried.add(key)
        const groups = [...groupSitesByFile(chosen)]
        const applied = yield* pool.run("applyMutations", {
          items: groups.map(([path, sites]) => ({ file: { path, text: input.texts.get(path) ?? "" }, sites }))
        })
        const texts = new Map<string, string>()
        const descriptions: Array<string> = []
        for (const { path, result } of applied.results) {
          if (result.ok) {
            texts.set(path, result.text)
            descriptions.push(result.description)
          }
        }
        if (texts.size === 0) continue
        yield* writeRepoTexts(input.sandbox, texts)
        const used = chosen.filter((s) => texts.has(s.file))
        return {
          description: descriptions.join("; "),
          files: [...texts.keys()].sort(),
          detail: {
            sites: used.map((s) => ({ file: s.file, line: s.line, kind: s.kind, symbol: s.symbol, description: s.description })),
            availableSites: siteCount,
            repairableSites: repairableCount,
            targeted
          }
        } satisfies AppliedCandidate
      }
      return undefined
    })

  return { label: input.label, next } satisfies CandidateSource
})
