import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { type Observation, reportWithMergedDuplicates, splitLines, stripAnsi } from "./shared.ts"

/**
 * pytest parser (python/pytest.py is its twin). Reads the `-rA` "short test summary info" lines
 * (`PASSED <nodeid>`, `FAILED <nodeid> - msg`, …) and, anywhere in the stream, `-v` progress lines
 * (`<nodeid> PASSED [ 50%]`, xdist's `[gw0] [ 50%] PASSED <nodeid>`), so a run killed before its summary still
 * yields the tests it finished.
 *
 * Id = the pytest node id (e.g. `tests/test_a.py::TestX::test_y[param]`, or a module path for a collection error).
 * PASSED → passed; FAILED, ERROR → failed; XPASS → passed (a strict XPASS is reported FAILED by pytest);
 * XFAIL, SKIPPED → absent. Node ids are unique, so several lines for one id are one test and failed wins
 * (e.g. PASSED then ERROR at teardown).
 */

const OUTCOMES: Readonly<Record<string, ParsedStatus | null>> = {
  PASSED: "passed",
  FAILED: "failed",
  ERROR: "failed",
  XPASS: "passed",
  XFAIL: null,
  SKIPPED: null
}

const NODE_ID = String.raw`[^ \t\[]+(?:\[.*?\])?`
const OUTCOME = "PASSED|FAILED|ERROR|XPASS|XFAIL|SKIPPED"
const SUMMARY_LINE = new RegExp(String.raw`^(${OUTCOME}) (${NODE_ID})(?: .*)?$`, "s")
const VERBOSE_LINE = new RegExp(String.raw`^(${NODE_ID}) (${OUTCOME})(?: \(.*\))?(?:[ \t]+\[ *[0-9]+%\])?[ \t]*$`, "s")
const XDIST_LINE = new RegExp(String.raw`^\[gw[0-9]+\] \[ *[0-9]+%\] (${OUTCOME}) (${NODE_ID})[ \t]*$`, "s")
const SUMMARY_HEADER = /^=+ short test summary info =+$/
const SECTION_BREAK = /^(?:=+|!+) /

export const parsePytest = (output: string): TestReport => {
  const observations: Array<Observation> = []
  let inSummary = false
  for (const line of splitLines(stripAnsi(output))) {
    if (SUMMARY_HEADER.test(line)) {
      inSummary = true
      continue
    }
    if (inSummary) {
      if (SECTION_BREAK.test(line)) {
        inSummary = false
        continue
      }
      const summary = SUMMARY_LINE.exec(line)
      if (summary) observations.push({ base: summary[2]!, status: OUTCOMES[summary[1]!] ?? null })
      continue
    }
    const verbose = VERBOSE_LINE.exec(line)
    if (verbose && verbose[1]!.includes("::")) observations.push({ base: verbose[1]!, status: OUTCOMES[verbose[2]!] ?? null })
    const xdist = XDIST_LINE.exec(line)
    if (xdist && xdist[2]!.includes("::")) observations.push({ base: xdist[2]!, status: OUTCOMES[xdist[1]!] ?? null })
  }
  return reportWithMergedDuplicates(observations)
}
