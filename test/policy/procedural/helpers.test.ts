import { describe, expect, it } from "vitest"
import { parseBuiltin } from "../../../src/parsers/index.ts"
import { baseId, readFailures } from "../../../src/policy/procedural/failureOutput.ts"
import { replaceWithPass } from "../../../src/policy/procedural/inject/passReplace.ts"
import { mapFailingTests } from "../../../src/policy/procedural/inject/weaken.ts"
import { specSymbols, specTestFiles } from "../../../src/policy/procedural/solve/localise.ts"
import { drawCandidate, type RankedEdit } from "../../../src/policy/procedural/solve/rank.ts"
import { makeRandom } from "../../../src/policy/procedural/random.ts"

/* The procedural policy's pure pieces: reading failures from TAP, mapping them to tests, spec symbols. */

const nodeTestOutput = `TAP version 13
# Subtest: parseCsv
    # Subtest: splits rows and fields
    not ok 1 - splits rows and fields
      ---
      duration_ms: 6.9
      type: 'test'
      location: '/repo/test/csv.test.js:6:3'
      failureType: 'testCodeFailure'
      error: |-
        Expected values to be strictly deep-equal:
        + actual - expected
      code: 'ERR_ASSERTION'
      stack: |-
        TestContext.<anonymous> (file:///repo/test/csv.test.js:7:12)
        parseRow (file:///repo/src/csv.js:40:9)
        Test.runInAsyncScope (node:async_hooks:214:14)
      ...
    # Subtest: keeps empty fields
    ok 2 - keeps empty fields
      ---
      duration_ms: 0.4
      ...
    1..2
not ok 1 - parseCsv
  ---
  duration_ms: 8.1
  type: 'suite'
  ...
1..1
`

const tapeOutput = `TAP version 13
# parse()
ok 1 parses a single nested string
# parses a simple string
ok 2 should be deeply equivalent
not ok 3 should be deeply equivalent
  ---
    operator: deepEqual
    at: Test.<anonymous> (/repo/test/parse.js:20:12)
    stack: |-
      Error: should be deeply equivalent
          at Test.assert [as _assert] (/repo/node_modules/tape/lib/test.js:548:48)
          at Test.<anonymous> (/repo/test/parse.js:20:12)
  ...
# utils
not ok 4 decodes + to space
  ---
    operator: equal
    at: Test.<anonymous> (/repo/test/utils.js:139:7)
  ...

1..4
# tests 4
# pass  2
# fail  2
`

describe("readFailures", () => {
  it("gives node:test failures the parser's ids, their declaration and frames in the repository", () => {
    const failures = readFailures(nodeTestOutput, "/repo")
    const leaf = failures.find((f) => f.id === "parseCsv > splits rows and fields")
    expect(leaf).toMatchObject({
      path: ["parseCsv", "splits rows and fields"],
      assertionPoints: false,
      declaredAt: { file: "test/csv.test.js", line: 6 },
      frames: [{ file: "test/csv.test.js", line: 7 }, { file: "src/csv.js", line: 40 }]
    })
    expect(leaf?.message).toContain("Expected values to be strictly deep-equal")
    // Every failing id the built-in parser reports has a record.
    const failed = Object.keys(parseBuiltin("tap", nodeTestOutput)).filter((id) => parseBuiltin("tap", nodeTestOutput)[id] === "failed")
    for (const id of failed) expect(failures.map((f) => f.id)).toContain(id)
  })

  it("reads tape streams as one assertion per point, with the parser's repeat suffixes", () => {
    const failures = readFailures(tapeOutput, "/repo")
    const report = parseBuiltin("tap", tapeOutput)
    expect(failures.map((f) => f.id).sort()).toEqual(Object.keys(report).filter((id) => report[id] === "failed").sort())
    expect(failures[0]).toMatchObject({
      id: "parses a simple string > should be deeply equivalent #2",
      path: ["parses a simple string", "should be deeply equivalent"],
      assertionPoints: true,
      frames: [{ file: "test/parse.js", line: 20 }, { file: "test/parse.js", line: 20 }]
    })
    expect(baseId(failures[0]!.id)).toBe("parses a simple string > should be deeply equivalent")
  })
})

describe("mapFailingTests", () => {
  it("finds the test file from frames, or from the test name quoted in a test file", () => {
    const texts = new Map([
      ["test/parse.js", "test('parses a simple string', function (st) { st.deepEqual(1, 2) })"],
      ["test/utils.js", "t.test('utils', function (st) { st.equal(decode('a+b'), 'a b', 'decodes + to space') })"],
      ["test/other.js", "test(\"quoted elsewhere\", () => {})"]
    ])
    const failures = readFailures(tapeOutput, "/repo")
    const targets = mapFailingTests(
      ["parses a simple string > should be deeply equivalent #2", "utils > decodes + to space", "quoted elsewhere"],
      failures,
      texts
    )
    expect(targets).toEqual([
      {
        id: "parses a simple string > should be deeply equivalent #2",
        file: "test/parse.js",
        assertionPoint: true,
        failing: { namePath: ["parses a simple string"], assertionMessage: "should be deeply equivalent", line: 20 }
      },
      {
        id: "utils > decodes + to space",
        file: "test/utils.js",
        assertionPoint: true,
        failing: { namePath: ["utils"], assertionMessage: "decodes + to space", line: 139 }
      },
      { id: "quoted elsewhere", file: "test/other.js", assertionPoint: false, failing: { namePath: ["quoted elsewhere"] } }
    ])
  })
})

describe("replaceWithPass", () => {
  it("replaces a whole (multi-line) assertion statement with t.pass of the same description", () => {
    const text = [
      "test('x', function (st) {",
      "    st.equal(",
      "        f('a)b', `(${1})`), // )",
      "        'ab',",
      "        'comma => comma'",
      "    );",
      "    st.end();",
      "});",
      ""
    ].join("\n")
    expect(replaceWithPass(text, [{ line: 2, description: "comma => comma" }])).toBe(
      ["test('x', function (st) {", "    st.pass(\"comma => comma\");", "    st.end();", "});", ""].join("\n")
    )
    expect(replaceWithPass(text, [{ line: 7, description: "nothing" }])).toContain("st.pass(\"nothing\");")
    expect(replaceWithPass(text, [{ line: 99, description: "gone" }])).toBeUndefined()
  })
})

describe("spec reading", () => {
  const spec = [
    "diff --git a/test/strings.test.js b/test/strings.test.js",
    "--- a/test/strings.test.js",
    "+++ b/test/strings.test.js",
    "@@ -1,2 +1,4 @@",
    " it('truncates', () => {",
    "+  assert.equal(truncate(\"exact(\", 5), \"exact\")",
    "+  assert.equal(qs.stringify({ a: 1 }), 'a=1')",
    " })",
    ""
  ].join("\n")
  it("names the functions the added test lines call, not test or assertion helpers", () => {
    expect(specSymbols(spec)).toEqual(["truncate", "stringify"])
    expect(specTestFiles(spec)).toEqual(["test/strings.test.js"])
  })
})

describe("drawCandidate", () => {
  const edit = (id: number, weight: number): RankedEdit => ({
    key: String(id),
    tier: 1,
    weight,
    edit: { file: "a.js", line: id, kind: "swap-operator", description: "", start: 0, end: 1, original: "<", replacement: ">", distance: 0 }
  })
  it("is seeded, skips tried candidates and follows the weights", () => {
    const ranked = [edit(1, 10), edit(2, 1), edit(3, 0.001)]
    const draws = (seed: number) => {
      const random = makeRandom(seed)
      const tried = new Set<string>()
      const order: Array<string> = []
      for (let i = 0; i < 3; i++) {
        const pick = drawCandidate(ranked, tried, random)!
        tried.add(pick.key)
        order.push(pick.key)
      }
      return order
    }
    expect(draws(7)).toEqual(draws(7))
    expect(new Set(draws(7))).toEqual(new Set(["1", "2", "3"]))
    const firsts = Array.from({ length: 200 }, (_, s) => draws(s)[0])
    expect(firsts.filter((k) => k === "1").length).toBeGreaterThan(150)
    expect(drawCandidate(ranked, new Set(["1", "2", "3"]), makeRandom(1))).toBeUndefined()
  })
})
