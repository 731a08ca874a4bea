import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { type Observation, reportWithMergedDuplicates, splitLines, stripAnsi, trimAscii } from "./shared.ts"

/**
 * `python -m unittest -v` parser (python/unittest.py is its twin).
 *
 * Lines `test_x (pkg.mod.Class.test_x) ... ok` (3.11+) or `test_x (pkg.mod.Class) ... ok` (≤ 3.10) both give the
 * id `pkg.mod.Class.test_x`; `setUpClass (pkg.mod.Class) ... ERROR` gives `pkg.mod.Class.setUpClass`. The result
 * may come on a later line when the test printed something or has a docstring; a line that is exactly a result word
 * then settles the pending test. Subtest lines (`test_x (…) (i=2) ... FAIL`) and the final `FAIL: …`/`ERROR: …`/
 * `UNEXPECTED SUCCESS: …` headers count for their test.
 * ok → passed; FAIL, ERROR, unexpected success (a failed run for unittest) → failed; skipped, expected failure →
 * absent. Ids are unique, so several results for one id are one test and failed wins.
 */

const TEST_LINE = /^ *([A-Za-z_][A-Za-z0-9_]*) \(([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\)(.*)$/s
const SUMMARY_HEADER = /^(?:FAIL|ERROR|UNEXPECTED SUCCESS): ([A-Za-z_][A-Za-z0-9_]*) \(([A-Za-z_][A-Za-z0-9_.]*)\)/
const DOTS = " ... "

type Result = { readonly status: ParsedStatus | null } | undefined

/** The verdict a result text stands for, or undefined when the text is not a result word. */
const resultOf = (text: string): Result => {
  const word = trimAscii(text)
  if (word === "ok") return { status: "passed" }
  if (word === "FAIL" || word === "ERROR" || word === "unexpected success") return { status: "failed" }
  if (word === "expected failure" || word === "skipped" || word.startsWith("skipped ")) return { status: null }
  return undefined
}

const testId = (name: string, qualified: string): string =>
  qualified.endsWith(`.${name}`) ? qualified : `${qualified}.${name}`

/** Text after the last " ... " of the line, or undefined when the line has none. */
const afterDots = (line: string): string | undefined => {
  const at = `${line} `.lastIndexOf(DOTS)
  return at < 0 ? undefined : `${line} `.slice(at + DOTS.length)
}

export const parseUnittest = (output: string): TestReport => {
  const observations: Array<Observation> = []
  let pending: string | null = null
  let pendingSawDots = false
  for (const line of splitLines(stripAnsi(output))) {
    const test = TEST_LINE.exec(line)
    if (test) {
      pending = testId(test[1]!, test[2]!)
      const rest = afterDots(test[3]!)
      pendingSawDots = rest !== undefined
      const result = rest === undefined ? undefined : resultOf(rest)
      if (result !== undefined) {
        observations.push({ base: pending, status: result.status })
        pending = null
      }
      continue
    }
    const header = SUMMARY_HEADER.exec(line)
    if (header) {
      observations.push({ base: testId(header[1]!, header[2]!), status: "failed" })
      pending = null
      continue
    }
    if (pending === null) continue
    const ownLine = resultOf(line)
    const docstringLine = pendingSawDots ? undefined : afterDots(line)
    const result = ownLine ?? (docstringLine === undefined ? undefined : resultOf(docstringLine))
    if (docstringLine !== undefined) pendingSawDots = true
    if (result !== undefined) {
      observations.push({ base: pending, status: result.status })
      pending = null
    }
  }
  return reportWithMergedDuplicates(observations)
}
