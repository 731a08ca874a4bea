import * as z from "zod"

/** What a parser may say about one test. Anything else in a parser's output makes the parser invalid. */
export const ParsedStatus = z.enum(["passed", "failed"])
export type ParsedStatus = z.infer<typeof ParsedStatus>

/** A test's status in one run: a test absent from the parsed output is "missing", never passed (GAME.md §2). */
export type TestStatus = ParsedStatus | "missing"

/** The decoded output of a test parser: test id → passed | failed. */
export const TestReport = z.record(z.string(), ParsedStatus).meta({
  id: "TestReport",
  description: "Parsed test results of one run: test id -> passed | failed. Absent ids are 'missing'."
})
export type TestReport = Readonly<Record<string, ParsedStatus>>

export const statusOf = (report: TestReport, id: string): TestStatus =>
  Object.hasOwn(report, id) ? report[id]! : "missing"

export const idsWithStatus = (report: TestReport, status: ParsedStatus): Array<string> =>
  Object.keys(report).filter((id) => report[id] === status).sort()

export interface ReportCounts {
  readonly total: number
  readonly passed: number
  readonly failed: number
}

export const countReport = (report: TestReport): ReportCounts => {
  let passed = 0
  let failed = 0
  for (const status of Object.values(report)) status === "passed" ? passed++ : failed++
  return { total: passed + failed, passed, failed }
}

/**
 * Decodes a parser's stdout strictly: exactly one JSON object whose values are "passed" or "failed".
 * Returns a reason instead of throwing; an invalid parser is a verdict, not a crash.
 */
export const decodeParserOutput = (
  stdout: string
): { readonly ok: true; readonly report: TestReport } | { readonly ok: false; readonly reason: string } => {
  const text = stdout.trim()
  if (text.length === 0) return { ok: false, reason: "parser printed nothing" }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `parser output is not JSON: ${(error as Error).message}` }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reason: `parser output is JSON but not an object (got ${Array.isArray(value) ? "array" : typeof value})` }
  }
  const bad = Object.entries(value).filter(([, v]) => v !== "passed" && v !== "failed")
  if (bad.length > 0) {
    const shown = bad.slice(0, 3).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")
    return { ok: false, reason: `parser output has ${bad.length} value(s) other than "passed"/"failed" (${shown})` }
  }
  return { ok: true, report: value as TestReport }
}
