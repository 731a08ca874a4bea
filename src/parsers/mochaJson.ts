import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { arrayOrEmpty, findJsonObjects, isRecord } from "./jsonObjects.ts"
import { type Observation, reportWithSuffixedDuplicates } from "./shared.ts"

/**
 * mocha `--reporter json` parser (python/mocha_json.py is its twin).
 *
 * Every mocha JSON object in the stream counts (console output around it is ignored). Id = the test's `fullTitle`
 * (mocha joins suite and test titles with spaces). Tests are taken in the order of `tests`: a non-empty `err` →
 * failed, listed in `passes` → passed, otherwise (pending) absent. Failures not matched by a test (hook failures,
 * e.g. `Suite "before each" hook for "x"`) are appended as failed. Repeated ids get " #2", " #3"….
 */

const isMochaReport = (value: unknown): boolean =>
  isRecord(value) &&
  isRecord(value["stats"]) &&
  (Array.isArray(value["tests"]) || Array.isArray(value["passes"]) || Array.isArray(value["failures"]))

const titleOf = (test: Record<string, unknown>): string => {
  const fullTitle = test["fullTitle"]
  if (typeof fullTitle === "string") return fullTitle
  const title = test["title"]
  return typeof title === "string" ? title : ""
}

const keyOf = (test: Record<string, unknown>): string => {
  const file = test["file"]
  return `${titleOf(test)}\u0000${typeof file === "string" ? file : ""}`
}

const hasError = (test: Record<string, unknown>): boolean => {
  const err = test["err"]
  return isRecord(err) && Object.keys(err).length > 0
}

const countKeys = (tests: ReadonlyArray<Record<string, unknown>>): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const test of tests) counts.set(keyOf(test), (counts.get(keyOf(test)) ?? 0) + 1)
  return counts
}

/** Consumes one occurrence of the test's key; false if none is left. */
const take = (counts: Map<string, number>, test: Record<string, unknown>): boolean => {
  const left = counts.get(keyOf(test)) ?? 0
  if (left === 0) return false
  counts.set(keyOf(test), left - 1)
  return true
}

const observe = (report: Record<string, unknown>): Array<Observation> => {
  const records = (value: unknown) => arrayOrEmpty(value).filter(isRecord)
  const passes = records(report["passes"])
  const failures = records(report["failures"])
  const tests = Array.isArray(report["tests"]) ? records(report["tests"]) : [...passes, ...failures]
  const passesLeft = countKeys(passes)
  const failuresLeft = countKeys(failures)
  const observations: Array<Observation> = []
  for (const test of tests) {
    let status: ParsedStatus | null = null
    if (hasError(test)) {
      take(failuresLeft, test)
      status = "failed"
    } else if (take(passesLeft, test)) {
      status = "passed"
    }
    observations.push({ base: titleOf(test), status })
  }
  for (const failure of failures) {
    if (take(failuresLeft, failure)) observations.push({ base: titleOf(failure), status: "failed" })
  }
  return observations
}

export const parseMochaJson = (output: string): TestReport =>
  reportWithSuffixedDuplicates(findJsonObjects(output, isMochaReport).flatMap((report) => observe(report as Record<string, unknown>)))
