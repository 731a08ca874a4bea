import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { arrayOrEmpty, findJsonObjects, isRecord } from "./jsonObjects.ts"
import { type Observation, reportWithSuffixedDuplicates } from "./shared.ts"

/**
 * jest / vitest `--json` parser (python/jest_json.py is its twin).
 *
 * Every object with a `testResults` array in the stream counts. Id = ancestor titles and title joined with " > "
 * (no file: absolute paths differ between sandboxes). Within one object the files are taken sorted by path, because
 * jest lists them in completion order, so that " #2" suffixes of same-named tests in different files are stable.
 * Status "passed"/"failed" map as is; pending, skipped, todo, disabled are absent. A file whose status is "failed"
 * with no failed test (failed to run, or a hook failed) adds a failed id: its path relative to the files' common
 * directory.
 */

const isJestReport = (value: unknown): boolean => isRecord(value) && Array.isArray(value["testResults"])

const stringOr = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback)

const directoryParts = (path: string): Array<string> => path.split("/").slice(0, -1)

/** Path relative to the longest directory shared by all paths (a single file yields its base name). */
const relativeToCommonDirectory = (path: string, all: ReadonlyArray<string>): string => {
  let common = directoryParts(all[0] ?? "")
  for (const other of all) {
    const parts = directoryParts(other)
    let n = 0
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++
    common = common.slice(0, n)
  }
  const relative = path.split("/").slice(common.length).join("/")
  return relative.length > 0 ? relative : path.length > 0 ? path : "(test file)"
}

const statusOf = (value: unknown): ParsedStatus | null => (value === "passed" || value === "failed" ? value : null)

const observe = (report: Record<string, unknown>): Array<Observation> => {
  const files = arrayOrEmpty(report["testResults"]).filter(isRecord)
  const names = files.map((file) => stringOr(file["name"], ""))
  const order = files.map((file, index) => ({ file, name: names[index]! })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const observations: Array<Observation> = []
  for (const { file, name } of order) {
    let anyFailed = false
    for (const assertion of arrayOrEmpty(file["assertionResults"]).filter(isRecord)) {
      const ancestors = arrayOrEmpty(assertion["ancestorTitles"]).filter((t): t is string => typeof t === "string")
      const title = stringOr(assertion["title"], stringOr(assertion["fullName"], ""))
      const status = statusOf(assertion["status"])
      if (status === "failed") anyFailed = true
      observations.push({ base: [...ancestors, title].join(" > "), status })
    }
    if (file["status"] === "failed" && !anyFailed) {
      observations.push({ base: relativeToCommonDirectory(name, names), status: "failed" })
    }
  }
  return observations
}

export const parseJestJson = (output: string): TestReport =>
  reportWithSuffixedDuplicates(findJsonObjects(output, isJestReport).flatMap((report) => observe(report as Record<string, unknown>)))
