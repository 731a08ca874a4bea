import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import type { BuiltinParserName } from "../../src/domain/profile.ts"
import type { TestReport } from "../../src/domain/testReport.ts"
import { builtinParserUrl } from "../../src/parsers/index.ts"
import { EDGE_CASES } from "./edgeCases.ts"

/** A captured test-run output (test/fixtures/logs/<parser>/<case>.txt) and its hand-checked report (<case>.json). */
export interface LogFixture {
  readonly parser: BuiltinParserName
  readonly name: string
  readonly output: string
  readonly expected: TestReport
}

const LOGS_DIR = new URL("../fixtures/logs/", import.meta.url)

export const logFixtures = (parser: BuiltinParserName): Array<LogFixture> => {
  const dir = new URL(`${parser}/`, LOGS_DIR)
  return readdirSync(dir)
    .filter((file) => file.endsWith(".txt"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".txt".length)
      return {
        parser,
        name,
        output: readFileSync(new URL(file, dir), "utf8"),
        expected: JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8")) as TestReport
      }
    })
}

type Parse = (output: string) => TestReport

/** One `it` per captured log asserting the TypeScript parser's exact report (called directly: errors surface). */
export const itParsesEveryCapturedLog = (parser: BuiltinParserName, parse: Parse): void => {
  const fixtures = logFixtures(parser)
  it("has captured logs", () => expect(fixtures.length).toBeGreaterThan(0))
  for (const fixture of fixtures) {
    it(`parses the captured log ${parser}/${fixture.name}`, () => {
      expect(parse(fixture.output)).toEqual(fixture.expected)
    })
  }
}

export const PYTHON = "/usr/bin/python3"

/** Runs the shippable Python parser on `output` the way an artifact does (`... | python3 test_parser.py`). */
export const runPythonParser = (parser: BuiltinParserName, output: string | Buffer): unknown => {
  const stdout = execFileSync(PYTHON, [fileURLToPath(builtinParserUrl(parser))], {
    input: output,
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024
  })
  return JSON.parse(stdout.toString("utf8"))
}

/** One `it` per hand-written edge case asserting the TypeScript parser's exact report. */
export const itParsesEveryEdgeCase = (parser: BuiltinParserName, parse: Parse): void => {
  for (const edge of EDGE_CASES[parser]) {
    it(`edge case: ${edge.name}`, () => {
      expect(parse(edge.output)).toEqual(edge.expected)
    })
  }
}
