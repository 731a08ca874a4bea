import type { ParsedStatus, TestReport } from "../domain/testReport.ts"

/**
 * Helpers shared by the TypeScript parsers. Every Python parser carries its own copy of the same logic (they are
 * shipped as single files), so any change here must be mirrored there; the parity test enforces it.
 *
 * Parity hazards: only ASCII character classes and ASCII trimming are used (Python's `\s`, `\d`, `str.strip()` and
 * `splitlines()` accept more characters than JavaScript's), and lines are split on "\n" alone.
 */

/** One observed test result in order of appearance; `null` = seen but no verdict (skipped, todo, xfail). */
export interface Observation {
  readonly base: string
  readonly status: ParsedStatus | null
}

const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]/g

export const stripAnsi = (text: string): string => text.replace(ANSI_ESCAPE, "")

/** Splits on "\n" and drops one trailing "\r" per line. */
export const splitLines = (text: string): Array<string> => text.split("\n").map((line) => line.replace(/\r$/, ""))

export const trimAscii = (text: string): string => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")

/**
 * Makes ids unique in order of appearance: the 2nd, 3rd… occurrence of a base id becomes "<base> #2", "<base> #3"…
 * (skipping any candidate already taken). Every observation counts, including those without a verdict, so that
 * skipping one test does not rename its namesakes.
 */
export const uniqueIds = (bases: ReadonlyArray<string>): Array<string> => {
  const used = new Set<string>()
  const occurrences = new Map<string, number>()
  return bases.map((base) => {
    let n = (occurrences.get(base) ?? 0) + 1
    let id = n === 1 ? base : `${base} #${n}`
    while (used.has(id)) {
      n++
      id = `${base} #${n}`
    }
    occurrences.set(base, n)
    used.add(id)
    return id
  })
}

/** Report for parsers whose names may repeat: duplicates get suffixed ids (see `uniqueIds`). */
export const reportWithSuffixedDuplicates = (observations: ReadonlyArray<Observation>): TestReport => {
  const ids = uniqueIds(observations.map((o) => o.base))
  const entries: Array<[string, ParsedStatus]> = []
  observations.forEach((o, index) => {
    if (o.status !== null) entries.push([ids[index]!, o.status])
  })
  return Object.fromEntries(entries)
}

/**
 * Report for parsers whose runner guarantees unique ids (pytest node ids, unittest ids): several observations of
 * one id are one test (e.g. PASSED then ERROR at teardown), failed wins over passed, verdict-less ones are ignored.
 */
export const reportWithMergedDuplicates = (observations: ReadonlyArray<Observation>): TestReport => {
  const merged = new Map<string, ParsedStatus>()
  for (const { base, status } of observations) {
    if (status === null) continue
    if (status === "failed" || !merged.has(base)) merged.set(base, status)
  }
  return Object.fromEntries(merged)
}
