import { afterAll, describe, expect, it } from "vitest"
import { classifyFile, DEFAULT_TEST_GLOBS, makeFileClassifier, parseDiff, touchedFiles } from "../../src/diff/index.ts"
import { makeChangeRepo, removeTempDirs } from "./gitFixture.ts"
import { KITCHEN_SINK_AFTER, KITCHEN_SINK_BEFORE, KITCHEN_SINK_TOUCHED } from "./scenarios.ts"

afterAll(removeTempDirs)

describe("touchedFiles", () => {
  it("lists old and new paths of every file patch of a real diff, sorted and unique", () => {
    const repo = makeChangeRepo(KITCHEN_SINK_BEFORE, KITCHEN_SINK_AFTER)
    const parsed = parseDiff(repo.diff("-M"))
    if (!parsed.ok) throw new Error(parsed.reason)
    expect(touchedFiles(parsed.files)).toEqual(KITCHEN_SINK_TOUCHED)
    expect(touchedFiles([])).toEqual([])
  })
})

describe("classifyFile", () => {
  const defaults = { testFiles: [], testGlobs: DEFAULT_TEST_GLOBS }

  it.each([
    "test/calc.test.js",
    "test/helpers/setup.js",
    "tests/test_api.py",
    "spec/models/user_spec.rb",
    "src/__tests__/calc.ts",
    "packages/core/test/index.js",
    "src/calc.test.ts",
    "src/calc.spec.mjs",
    "lib/pkg/test_parser.py",
    "lib/pkg/parser_test.py",
    "conftest.py",
    "test.js",
    "test/.eslintrc.json",
    "src/__snapshots__/calc.test.ts.snap"
  ])("classifies %s as a test with the default globs", (path) => {
    expect(classifyFile(path, defaults)).toBe("test")
  })

  it.each([
    "src/calc.js",
    "src/testing.ts",
    "src/contest.py",
    "lib/attest.js",
    "index.js",
    ".github/workflows/ci.yml",
    "src/latest/x.js"
  ])("classifies %s as code with the default globs", (path) => {
    expect(classifyFile(path, defaults)).toBe("code")
  })

  it("counts files listed in test_files.txt as tests, with or without ./", () => {
    const classify = makeFileClassifier({ testFiles: ["./checks/run.js", "verify.py"], testGlobs: [] })
    expect(classify("checks/run.js")).toBe("test")
    expect(classify("./verify.py")).toBe("test")
    expect(classify("checks/other.js")).toBe("code")
  })

  it("uses the profile's globs instead of the defaults, matching dot files", () => {
    const rules = { testFiles: [], testGlobs: ["qa/**", "**/*.check.ts"] }
    expect(classifyFile("qa/.hidden/case.js", rules)).toBe("test")
    expect(classifyFile("src/a.check.ts", rules)).toBe("test")
    expect(classifyFile("test/a.test.js", rules)).toBe("code")
  })
})
