import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { BUILTIN_PARSERS } from "../../src/domain/profile.ts"
import { decodeParserOutput } from "../../src/domain/testReport.ts"
import { builtinParserSource, builtinParserUrl, parseBuiltin } from "../../src/parsers/index.ts"
import { parseJestJson } from "../../src/parsers/jestJson.ts"
import { parseJunitXml } from "../../src/parsers/junitXml.ts"
import { parseMochaJson } from "../../src/parsers/mochaJson.ts"
import { parsePytest } from "../../src/parsers/pytest.ts"
import { parseTap } from "../../src/parsers/tap.ts"
import { parseUnittest } from "../../src/parsers/unittest.ts"
import { damagedLogs, parseManyInPython } from "./damagedLogs.ts"
import { EDGE_CASES } from "./edgeCases.ts"
import { logFixtures, PYTHON, runPythonParser } from "./logFixtures.ts"

// The Python parsers are what artifacts ship; the TypeScript ones cross-check them engine-side. Both must agree on
// every captured log and edge case, and both must match the hand-checked expectation.

const STDLIB_IMPORTS = new Set(["json", "re", "sys", "xml.etree.ElementTree"])

describe.each(BUILTIN_PARSERS)("parser %s: Python and TypeScript agree", (parser) => {
  for (const fixture of logFixtures(parser)) {
    it(`captured log ${fixture.name}`, () => {
      const fromPython = runPythonParser(parser, fixture.output)
      expect(fromPython).toEqual(parseBuiltin(parser, fixture.output))
      expect(fromPython).toEqual(fixture.expected)
    })
  }

  for (const edge of EDGE_CASES[parser]) {
    it(`edge case: ${edge.name}`, () => {
      const fromPython = runPythonParser(parser, edge.output)
      expect(fromPython).toEqual(parseBuiltin(parser, edge.output))
      expect(fromPython).toEqual(edge.expected)
    })
  }

  it("survives bytes that are not UTF-8 and prints one valid JSON object", () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x0a, 0x6f, 0x6b, 0xe2, 0x82, 0x0a, 0x3c, 0x74])
    const stdout = execFileSync(PYTHON, [fileURLToPath(builtinParserUrl(parser))], { input: bytes, timeout: 30_000 })
    const decoded = decodeParserOutput(stdout.toString("utf8"))
    expect(decoded).toEqual({ ok: true, report: {} })
    expect(parseBuiltin(parser, bytes.toString("utf8"))).toEqual({})
  })

  it("ships a self-contained stdlib-only script", () => {
    const source = builtinParserSource(parser)
    expect(source.startsWith("#!/usr/bin/env python3\n")).toBe(true)
    expect(builtinParserSource(parser)).toBe(source)
    const imports = [...source.matchAll(/^(?:import ([\w.]+)(?: as \w+)?|from ([\w.]+) import .*)$/gm)].map((m) => m[1] ?? m[2])
    expect(imports.length).toBeGreaterThan(0)
    for (const name of imports) expect(STDLIB_IMPORTS).toContain(name)
    expect(source).toMatch(/^if __name__ == "__main__":$/m)
  })
})

const DIRECT = {
  tap: parseTap,
  "mocha-json": parseMochaJson,
  "junit-xml": parseJunitXml,
  pytest: parsePytest,
  unittest: parseUnittest,
  "jest-json": parseJestJson
} as const

describe("Python and TypeScript agree on damaged logs", () => {
  const damaged = damagedLogs()
  it.each(BUILTIN_PARSERS)("parser %s", (parser) => {
    const fromPython = parseManyInPython(parser, damaged)
    const disagreements = damaged.flatMap((output, index) => {
      const fromTypeScript = DIRECT[parser](output)
      return JSON.stringify(sortedEntries(fromTypeScript)) === JSON.stringify(sortedEntries(fromPython[index]))
        ? []
        : [{ index, fromTypeScript, fromPython: fromPython[index] }]
    })
    expect(disagreements.slice(0, 3)).toEqual([])
  })
})

const sortedEntries = (report: unknown): Array<[string, unknown]> =>
  Object.entries(report as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
