import { parseDiff, touchedFiles } from "../../../diff/index.ts"
import type { ProcessCoverage } from "../coverage.ts"
import { mergeCoverage } from "../coverage.ts"
import { baseId, readFailures } from "../failureOutput.ts"
import { type ValueHints, valueHints } from "./valueHints.ts"

/*
 * Fault localisation for the Solver, from what it can see: file:line frames of code files in the failure output,
 * the functions the spec's added test lines call, and the lines executed by the processes that ran the spec's
 * test files (node:test runs one process per test file; single-process runners give the whole suite's coverage).
 */

export interface Localisation {
  /** Code lines named by stack frames / `at:` lines of failing tests, per code file. */
  readonly traceLines: ReadonlyMap<string, ReadonlyArray<number>>
  /** Names the spec's added lines call (`parse(`, `.get(`), as symbol hints. */
  readonly symbols: ReadonlyArray<string>
  /** Code lines executed while the spec's test files ran. */
  readonly covered: ReadonlyMap<string, ReadonlySet<number>>
  /** Test files the spec touches. */
  readonly specFiles: ReadonlyArray<string>
  /** Some failure shows `undefined` where a value was expected: a lost return value or body is likely. */
  readonly valueLost: boolean
  /** Where the failures' expected and actual values differ (value-guided repair). */
  readonly values: ValueHints
}

const VALUE_LOST = /actual:\s*undefined\b|\bundefined !==|!== undefined\b|^\s*\+\s*undefined\s*$|of undefined \(reading|undefined is not|is not a function|is not iterable/m

const NOT_SYMBOLS = new Set([
  "if", "for", "while", "switch", "catch", "function", "return", "typeof", "new", "await", "async", "super", "import", "require",
  "test", "it", "describe", "suite", "context", "before", "after", "beforeEach", "afterEach", "t", "st", "s2", "plan", "end",
  "pass", "fail", "comment", "skip", "todo", "only", "assert", "expect", "ok", "notOk", "equal", "equals", "notEqual",
  "strictEqual", "deepEqual", "deepStrictEqual", "notDeepEqual", "notStrictEqual", "looseEqual", "throws", "doesNotThrow",
  "rejects", "doesNotReject", "match", "doesNotMatch", "same", "is", "isNot", "true", "false", "error", "ifError",
  "toBe", "toEqual", "toStrictEqual", "toThrow", "toMatch", "toContain", "toHaveLength", "toBeTruthy", "toBeFalsy",
  "String", "Number", "Boolean", "Object", "Array", "JSON", "Math", "Date", "RegExp", "Error", "TypeError", "RangeError",
  "SyntaxError", "Symbol", "Map", "Set", "WeakMap", "Promise", "Buffer", "BigInt", "parseInt", "parseFloat", "isNaN",
  "keys", "values", "entries", "map", "filter", "forEach", "reduce", "push", "join", "split", "slice", "concat", "call",
  "apply", "bind", "toString", "from", "of", "assign", "freeze", "create", "defineProperty", "log"
])

/** Names called in the spec's added lines (the tests being restored), most frequent first. */
export const specSymbols = (spec: string): Array<string> => {
  const counts = new Map<string, number>()
  for (const line of spec.split("\n")) {
    if (!line.startsWith("+") || line.startsWith("+++")) continue
    const code = line.slice(1).replace(/(["'`])(?:\\.|(?!\1).)*\1/g, "\"\"")
    for (const match of code.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) {
      const name = match[1] ?? ""
      if (!NOT_SYMBOLS.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name]) => name)
}

export const specTestFiles = (spec: string): Array<string> => {
  const parsed = parseDiff(spec)
  if (parsed.ok) return touchedFiles(parsed.files)
  // A damaged spec still names its files.
  return [...new Set([...spec.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => (m[1] ?? "").trim()))]
}

export interface LocaliseInput {
  readonly spec: string
  readonly output: string
  readonly repoRoot: string
  readonly failingIds: ReadonlyArray<string>
  /** Processes of the whole suite's run. */
  readonly coverage: ReadonlyArray<ProcessCoverage>
  /** Processes of the spec's test files run on their own, when that could be done (preferred: narrower). */
  readonly specCoverage: ReadonlyArray<ProcessCoverage>
  readonly isCode: (path: string) => boolean
}

export const localise = (input: LocaliseInput): Localisation => {
  const failing = new Set(input.failingIds.map(baseId))
  const traceLines = new Map<string, Array<number>>()
  let valueLost = false
  const details: Array<string> = []
  for (const record of readFailures(input.output, input.repoRoot)) {
    if (!failing.has(baseId(record.id))) continue
    valueLost ||= VALUE_LOST.test(record.details)
    details.push(record.details)
    for (const frame of record.frames) {
      if (!input.isCode(frame.file)) continue
      const lines = traceLines.get(frame.file) ?? []
      if (!lines.includes(frame.line)) lines.push(frame.line)
      traceLines.set(frame.file, lines)
    }
  }
  const specFiles = specTestFiles(input.spec)
  const codeOnly = (processes: ReadonlyArray<ProcessCoverage>) => new Map([...mergeCoverage(processes)].filter(([file]) => input.isCode(file)))
  const own = codeOnly(input.specCoverage)
  const relevant = input.coverage.filter((p) => specFiles.some((f) => f in p.files))
  const covered = own.size > 0 ? own : codeOnly(relevant.length > 0 ? relevant : input.coverage)
  return { traceLines, symbols: specSymbols(input.spec), covered, specFiles, valueLost, values: valueHints(details) }
}
