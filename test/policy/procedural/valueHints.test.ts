import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { readFailures } from "../../../src/policy/procedural/failureOutput.ts"
import { differingParts, expectedActualPairs, matchesValueHints, valueHints } from "../../../src/policy/procedural/solve/valueHints.ts"

const captured = (name: string) => readFileSync(new URL(`../../fixtures/logs/tap/${name}`, import.meta.url), "utf8")

describe("value hints from failing assertions", () => {
  it("reads expected/actual pairs from node:test TAP (single and double quoted)", () => {
    const failures = readFailures(captured("node-values.txt"), "/tmp/cap")
    expect(failures.map((f) => expectedActualPairs(f.details))).toEqual([
      [{ expected: "-1.5 KB", actual: "1.5 KB" }],
      [{ expected: "it is", actual: "it's" }]
    ])
  })

  it("reads numbers from node:test and tape output", () => {
    const node = readFailures(captured("node-killed.txt"), "/nowhere").flatMap((f) => expectedActualPairs(f.details))
    expect(node).toContainEqual({ expected: "500", actual: "200" })
    const tape = readFailures(captured("tape.txt"), "/nowhere").flatMap((f) => expectedActualPairs(f.details))
    expect(tape).toContainEqual({ expected: "1", actual: "2" })
  })

  it("cuts the common prefix and suffix; numbers differ as a whole", () => {
    expect(differingParts("-1.5 KB", "1.5 KB")).toEqual({ missing: "-", extra: "" })
    expect(differingParts("it is", "it's")).toEqual({ missing: " i", extra: "'" })
    expect(differingParts("500", "200")).toEqual({ missing: "500", extra: "200" })
  })

  it("matches the literal change that writes back the missing text, not its siblings", () => {
    const hints = valueHints(readFailures(captured("node-values.txt"), "/tmp/cap").map((f) => f.details))
    expect(hints.missing).toContain("-")
    expect(matchesValueHints("\"-\"", hints)).toBe(true)
    expect(matchesValueHints("'-'", hints)).toBe(true)
    expect(matchesValueHints("\"KB\"", hints)).toBe(false)
    expect(matchesValueHints("\"\"", hints)).toBe(false)
    expect(matchesValueHints("500", valueHints(["  expected: 500\n  actual: 200"]))).toBe(true)
    expect(matchesValueHints("201", valueHints(["  expected: 500\n  actual: 200"]))).toBe(false)
  })
})
