import { readFileSync } from "node:fs"
import type { BuiltinParserName } from "../domain/profile.ts"
import type { TestReport } from "../domain/testReport.ts"
import { parseJestJson } from "./jestJson.ts"
import { parseJunitXml } from "./junitXml.ts"
import { parseMochaJson } from "./mochaJson.ts"
import { parsePytest } from "./pytest.ts"
import { parseTap } from "./tap.ts"
import { parseUnittest } from "./unittest.ts"

/**
 * Built-in test-output parsers. Each exists twice with identical results: a pure TypeScript function used
 * engine-side, and a self-contained stdlib-only Python script (python/<name>.py) that is copied verbatim into bug
 * artifacts as `test_parser.py`. Conventions shared by all of them:
 * - input is the raw merged output (stdout + stderr); anything that is not a result is ignored;
 * - a test is reported only with a verdict: skipped, todo and expected-failure tests are absent, never passed;
 * - a run that crashed yields the results seen before the crash;
 * - ids that a runner may repeat (TAP, mocha, jest, JUnit names) get " #2", " #3"… in order of appearance; runners
 *   with unique ids (pytest, unittest) merge repeated lines of one test, failed winning.
 * Neither side throws: unreadable output is an empty report.
 */

const PARSERS: Readonly<Record<BuiltinParserName, (output: string) => TestReport>> = {
  tap: parseTap,
  "mocha-json": parseMochaJson,
  "junit-xml": parseJunitXml,
  pytest: parsePytest,
  unittest: parseUnittest,
  "jest-json": parseJestJson
}

const PYTHON_FILES: Readonly<Record<BuiltinParserName, string>> = {
  tap: "tap.py",
  "mocha-json": "mocha_json.py",
  "junit-xml": "junit_xml.py",
  pytest: "pytest.py",
  unittest: "unittest.py",
  "jest-json": "jest_json.py"
}

export const parseBuiltin = (name: BuiltinParserName, output: string): TestReport => {
  try {
    return PARSERS[name](output)
  } catch {
    return {}
  }
}

/** URL of the Python twin of a built-in parser (for tools that need the file rather than its text). */
export const builtinParserUrl = (name: BuiltinParserName): URL => new URL(`./python/${PYTHON_FILES[name]}`, import.meta.url)

const sourceCache = new Map<BuiltinParserName, string>()

/** Text of the Python parser, to be written into an artifact as `test_parser.py`. */
export const builtinParserSource = (name: BuiltinParserName): string => {
  let source = sourceCache.get(name)
  if (source === undefined) {
    source = readFileSync(builtinParserUrl(name), "utf8")
    sourceCache.set(name, source)
  }
  return source
}
