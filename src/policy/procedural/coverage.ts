import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"

/*
 * V8 coverage (NODE_V8_COVERAGE) turned into executed lines per repository file, inside the sandbox by a small
 * node script: the raw profiles can be large and hold absolute sandbox paths. One entry per process, so the
 * solver can tell which processes ran a given test file (node:test runs each test file in its own process).
 */

/** Executed lines per repo-relative file, 1-based, as inclusive [first, last] ranges. */
export type ExecutedLines = Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>

export interface ProcessCoverage {
  readonly files: ExecutedLines
}

const AGGREGATE_SCRIPT = String.raw`
"use strict"
const fs = require("node:fs")
const path = require("node:path")
const dir = process.argv[2]
const root = process.cwd() + path.sep
const texts = new Map()
const textOf = (file) => {
  if (!texts.has(file)) { try { texts.set(file, fs.readFileSync(file, "utf8")) } catch { texts.set(file, undefined) } }
  return texts.get(file)
}
const toPath = (url) => {
  if (url.startsWith("file://")) { try { return require("node:url").fileURLToPath(url) } catch { return undefined } }
  return url.startsWith("/") ? url : undefined
}
const executedRanges = (text, functions) => {
  const ranges = []
  for (const fn of functions) for (const r of fn.ranges) ranges.push(r)
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset)
  const counts = new Int32Array(text.length)
  for (const r of ranges) counts.fill(r.count > 0 ? 1 : 0, Math.max(0, r.startOffset), Math.min(text.length, r.endOffset))
  const lines = []
  let offset = 0
  let lineNo = 1
  let open = -1
  while (offset <= text.length) {
    const end = text.indexOf("\n", offset)
    const lineEnd = end === -1 ? text.length : end
    let first = offset
    while (first < lineEnd && (text[first] === " " || text[first] === "\t" || text[first] === "\r")) first++
    let last = lineEnd - 1
    while (last > first && (text[last] === " " || text[last] === "\t" || text[last] === "\r")) last--
    // "var f = function () {" of a never-called function starts in executed module code: a line that opens a
    // function must be executed at its end too. Other lines count from their start ("if (c) x()" with x skipped).
    const opensFunction = /\bfunction\b|=>/.test(text.slice(first, last + 1))
    const executed = first < lineEnd && counts[first] > 0 && (counts[last] > 0 || !opensFunction)
    if (executed && open === -1) open = lineNo
    if (!executed && open !== -1 && first < lineEnd) { lines.push([open, lineNo - 1]); open = -1 }
    if (end === -1) break
    offset = end + 1
    lineNo++
  }
  if (open !== -1) lines.push([open, lineNo])
  return lines
}
const processes = []
for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!name.endsWith(".json")) continue
  let data
  try { data = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) } catch { continue }
  const files = {}
  for (const script of data.result || []) {
    const file = toPath(script.url || "")
    if (file === undefined || !file.startsWith(root)) continue
    const rel = file.slice(root.length).split(path.sep).join("/")
    if (rel.split("/").includes("node_modules")) continue
    const text = textOf(file)
    if (text === undefined) continue
    const lines = executedRanges(text, script.functions || [])
    if (lines.length > 0) files[rel] = (files[rel] || []).concat(lines)
  }
  processes.push({ files })
}
process.stdout.write(JSON.stringify(processes))
`

/** Environment that makes node processes write V8 coverage into `dir` (inside the sandbox's work directory). */
export const coverageEnv = (dir: string): Record<string, string> => ({ NODE_V8_COVERAGE: dir })

/** Per-process executed lines from a coverage directory; [] when there is none or node cannot read it. */
export const readCoverage = (sandbox: Sandbox, dir: string): Effect.Effect<Array<ProcessCoverage>, SandboxError> => {
  const scriptPath = `${sandbox.workDir}/ssr-procedural/aggregate-coverage.cjs`
  return sandbox.writeFile(scriptPath, AGGREGATE_SCRIPT).pipe(
    Effect.andThen(sandbox.exec({ argv: ["node", scriptPath, dir], timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 })),
    Effect.map((r) => {
      if (r.exitCode !== 0) return []
      try {
        return JSON.parse(r.stdout) as Array<ProcessCoverage>
      } catch {
        return []
      }
    })
  )
}

/** Union of executed lines over processes, as sets per file. */
export const mergeCoverage = (processes: ReadonlyArray<ProcessCoverage>): Map<string, Set<number>> => {
  const merged = new Map<string, Set<number>>()
  for (const proc of processes) {
    for (const [file, ranges] of Object.entries(proc.files)) {
      const lines = merged.get(file) ?? new Set<number>()
      for (const [first, last] of ranges) for (let line = first; line <= last; line++) lines.add(line)
      merged.set(file, lines)
    }
  }
  return merged
}

/**
 * Runs each given test file on its own with `node <file>` under coverage (node:test and tape files run that way;
 * files of other runners simply fail and add nothing). The caller falls back to the suite's coverage then.
 */
export const coverageOfTestFiles = (
  sandbox: Sandbox,
  files: ReadonlyArray<string>,
  dir: string,
  timeoutMs: number
): Effect.Effect<Array<ProcessCoverage>, SandboxError> => {
  const runnable = files.filter((f) => /\.[cm]?js$/.test(f))
  if (runnable.length === 0) return Effect.succeed([])
  return Effect.forEach(runnable, (file) =>
    sandbox.exec({ argv: ["node", file], env: coverageEnv(dir), timeoutMs, maxOutputBytes: 8 * 1024 * 1024 }), { discard: true }).pipe(
    Effect.andThen(readCoverage(sandbox, dir))
  )
}
