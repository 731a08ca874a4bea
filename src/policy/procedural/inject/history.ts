import { Effect } from "effect"
import type { SandboxError } from "../../../domain/errors.ts"
import { splitByFile, splitHunks } from "../../../diff/index.ts"
import { applyDiff, restoreFiles, shellQuote } from "../../../sandbox/repoOps.ts"
import type { Sandbox } from "../../../sandbox/Sandbox.ts"
import { scriptKindOf } from "../ast/source.ts"
import { makeRandom } from "../random.ts"
import { bash } from "../sandboxFiles.ts"
import type { AppliedCandidate, CandidateSource } from "./candidates.ts"

/*
 * History-aware injection (GAME.md §7): revert the code part of a past commit at HEAD. Commits whose messages
 * speak of fixes and edge cases come first (seeded, weighted); a commit whose whole code diff does not reverse-
 * apply any more is reverted hunk by hunk, keeping the hunks that still apply.
 */

export interface PastCommit {
  readonly sha: string
  readonly subject: string
  /** Code files the commit modified (not added or deleted ones: reverting those breaks imports). */
  readonly codeFiles: ReadonlyArray<string>
}

const FIX_LIKE = /\b(fix(e[sd])?|bug|edge|corner|handle[sd]?|correct(ly|s|ed)?|wrong|crash|regression|keeps?|never|must|should|off-by-one|overflow|empty|negative|invalid|escape[sd]?)\b/i

const RECORD = "\x1e"
const FIELD = "\x1f"

/** Non-merge commits reachable from HEAD with the code files they modified, newest first. */
export const listPastCommits = (
  sandbox: Sandbox,
  isCode: (path: string) => boolean
): Effect.Effect<Array<PastCommit>, SandboxError> =>
  bash(sandbox, `git log --no-merges --no-renames --format=${RECORD}%H${FIELD}%s --name-status HEAD`, [], {
    maxOutputBytes: 64 * 1024 * 1024
  }).pipe(
    Effect.map((r) =>
      r.exitCode !== 0 ? [] : r.stdout.split(RECORD).flatMap((record): Array<PastCommit> => {
        const [head = "", ...rest] = record.split("\n")
        const [sha = "", subject = ""] = head.split(FIELD)
        if (!/^[0-9a-f]{40}$/.test(sha)) return []
        const codeFiles = rest.flatMap((line) => {
          const [status = "", path = ""] = line.split("\t")
          return status === "M" && isCode(path) && scriptKindOf(path) !== undefined ? [path] : []
        })
        return codeFiles.length === 0 ? [] : [{ sha, subject, codeFiles }]
      })
    )
  )

/** Seeded order, heavier commits earlier (Efraimidis–Spirakis keys). */
const weightedOrder = <A>(items: ReadonlyArray<A>, weight: (item: A) => number, seed: string): Array<A> => {
  const random = makeRandom(seed)
  return items
    .map((item) => ({ item, key: Math.pow(random.next() || Number.MIN_VALUE, 1 / Math.max(weight(item), 1e-6)) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.item)
}

export interface HistorySourceInput {
  readonly sandbox: Sandbox
  readonly commits: ReadonlyArray<PastCommit>
  readonly exercised: ReadonlyMap<string, ReadonlySet<number>>
  readonly seed: number
  readonly targetFiles?: ReadonlyArray<string> | undefined
}

const syntaxCheck = (sandbox: Sandbox, files: ReadonlyArray<string>) => {
  const js = files.filter((f) => /\.[cm]?jsx?$/.test(f) && !f.endsWith(".jsx"))
  if (js.length === 0) return Effect.succeed(true)
  return bash(sandbox, `for f in "$@"; do node --check "$f" || exit 1; done`, js).pipe(Effect.map((r) => r.exitCode === 0))
}

export const historyCandidateSource = (input: HistorySourceInput): CandidateSource => {
  const targets = new Set(input.targetFiles ?? [])
  const weight = (c: PastCommit) =>
    (FIX_LIKE.test(c.subject) ? 4 : 1) *
    (c.codeFiles.some((f) => input.exercised.has(f)) ? 2 : 0.25) *
    (targets.size > 0 && c.codeFiles.some((f) => targets.has(f)) ? 4 : 1)
  const order = weightedOrder(input.commits, weight, `${input.seed}:history`)
  const random = makeRandom(`${input.seed}:history-hunks`)
  const visits = new Map<string, number>()
  const tried = new Set<string>()

  const next = (attempt: number) =>
    Effect.gen(function*() {
      const { sandbox } = input
      for (let offset = 0; offset < order.length; offset++) {
        const commit = order[(attempt + offset) % order.length]
        if (commit === undefined) return undefined
        const visit = visits.get(commit.sha) ?? 0
        visits.set(commit.sha, visit + 1)
        const pathspec = commit.codeFiles.map((f) => shellQuote(`:(literal)${f}`)).join(" ")
        const shown = yield* bash(sandbox, `git show --no-color --no-ext-diff --format= ${commit.sha} -- ${pathspec}`, [], {
          maxOutputBytes: 32 * 1024 * 1024
        })
        const split = splitByFile(shown.stdout)
        if (shown.exitCode !== 0 || !split.ok) continue
        const hunks = [...split.sections].flatMap(([file, section]) => splitHunks(section).map((text) => ({ file, text })))
        const applicable: Array<{ file: string; text: string }> = []
        for (const hunk of hunks) {
          const check = yield* applyDiff(sandbox, hunk.text, { reverse: true, check: true })
          if (check.ok) applicable.push(hunk)
        }
        if (applicable.length === 0) continue
        // First visit: every hunk that still applies; later visits: a seeded non-empty subset (more variety).
        const chosen = visit === 0 ? applicable : random.sample(applicable, 1 + random.int(applicable.length))
        const key = `${commit.sha}:${chosen.map((h) => h.text).join("")}`
        if (tried.has(key)) continue
        tried.add(key)
        const changed = new Set<string>()
        for (const hunk of chosen) {
          const applied = yield* applyDiff(sandbox, hunk.text, { reverse: true })
          if (applied.ok) changed.add(hunk.file)
        }
        const files = [...changed].sort()
        if (files.length === 0) continue
        if (!(yield* syntaxCheck(sandbox, files))) {
          yield* restoreFiles(sandbox, files)
          continue
        }
        return {
          description: `revert ${commit.sha.slice(0, 10)} "${commit.subject}" (${chosen.length}/${hunks.length} hunks)`,
          files,
          detail: { commit: commit.sha, subject: commit.subject, hunks: chosen.length, totalHunks: hunks.length, applicable: applicable.length }
        } satisfies AppliedCandidate
      }
      return undefined
    })

  return { label: "history", next }
}
