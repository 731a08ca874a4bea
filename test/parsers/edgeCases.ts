import type { BuiltinParserName } from "../../src/domain/profile.ts"
import type { TestReport } from "../../src/domain/testReport.ts"

/**
 * Hand-written outputs for situations the captured logs do not show (garbage, truncation, odd names). The
 * per-parser tests assert `expected` with the TypeScript parser; the parity test runs them through Python too.
 */
export interface EdgeCase {
  readonly name: string
  readonly output: string
  readonly expected: TestReport
}

const lines = (...text: ReadonlyArray<string>): string => `${text.join("\n")}\n`

const GARBAGE = lines(
  "Error: Cannot find module 'left-pad'",
  "    at Object.<anonymous> (/repo/index.js:1:1)",
  "okay then, not okay { \"half\": [1, 2",
  "<testsuite name=\"unterminated\"",
  "PASSED but not a summary",
  "test_x (no dots here) ... ok"
)

const COMMON: ReadonlyArray<EdgeCase> = [
  { name: "empty output", output: "", expected: {} },
  { name: "garbage only", output: GARBAGE, expected: {} }
]

const TAP: ReadonlyArray<EdgeCase> = [
  {
    name: "Bail out! keeps what was seen",
    output: lines("TAP version 13", "1..4", "ok 1 - connects", "not ok 2 - migrates", "Bail out! database unreachable"),
    expected: { connects: "passed", migrates: "failed" }
  },
  {
    name: "YAML diagnostics that look like test points are ignored",
    output: lines(
      "TAP version 13",
      "ok 1 - first",
      "  ---",
      "  output: |",
      "    ok 7 - printed by the test",
      "    not ok 8 - also printed",
      "  ...",
      "not ok 2 - second",
      "  ---",
      "  message: boom",
      "  ..."
    ),
    expected: { first: "passed", second: "failed" }
  },
  {
    name: "directives",
    output: lines(
      "ok 1 - a # SKIP no database",
      "not ok 2 - b # skip",
      "not ok 3 - c # TODO not implemented",
      "ok 4 - d # todo",
      "ok 5 - e \\# not a directive",
      "ok 6 issue #42 is fixed",
      "not ok 7 - f # Skipped: slow",
      "ok 8 - g # TODOS are not a directive"
    ),
    expected: {
      d: "passed",
      "e # not a directive": "passed",
      "issue #42 is fixed": "passed",
      "g # TODOS are not a directive": "passed"
    }
  },
  {
    name: "repeated ids are suffixed in order, skipped ones included",
    output: lines("# group", "ok 1 x", "not ok 2 x", "ok 3 x #2", "ok 4 - y # SKIP", "not ok 5 - y"),
    expected: { "group > x": "passed", "group > x #2": "failed", "group > x #2 #2": "passed", "group > y #2": "failed" }
  },
  {
    name: "stderr noise between nested lines and CRLF line ends",
    output: [
      "TAP version 13",
      "# Subtest: suite",
      "    # Subtest: first",
      "    ok 1 - first",
      "(node:4242) ExperimentalWarning: noise on stderr",
      "    # Subtest: second",
      "    not ok 2 - second",
      "      ---",
      "      error: 'ok 3 - not a test'",
      "      ...",
      "    1..2",
      "not ok 1 - suite",
      "1..1",
      ""
    ].join("\r\n"),
    expected: { "suite > first": "passed", "suite > second": "failed" }
  },
  {
    name: "ANSI colours",
    output: "\x1b[32mok 1 - green\x1b[39m\n\x1b[31mnot ok 2 - red\x1b[39m\n",
    expected: { green: "passed", red: "failed" }
  },
  {
    name: "indented subtests without # Subtest headers",
    output: lines(
      "TAP version 14",
      "    ok 1 - child a",
      "    not ok 2 - child b # TODO flaky",
      "    1..2",
      "ok 1 - parent",
      "ok 2 - sibling",
      "1..2"
    ),
    expected: { "parent > child a": "passed", sibling: "passed" }
  },
  {
    name: "output cut inside a YAML block",
    output: lines("ok 1 - a", "not ok 2 - b", "  ---", "  stack: |-", "    at x"),
    expected: { a: "passed", b: "failed" }
  }
]

const MOCHA_JSON: ReadonlyArray<EdgeCase> = [
  {
    name: "truncated report yields nothing",
    output: lines("{", '  "stats": {"tests": 2},', '  "tests": [', '    {"title": "a", "fullTitle": "A a", "err": {}}'),
    expected: {}
  },
  {
    name: "braces and quotes inside strings, logger JSON lines around",
    output: lines(
      "{ this line is not json",
      '{"level":30,"msg":"server {started}"}',
      "{",
      '  "stats": {"tests": 2},',
      '  "tests": [',
      '    {"title": "a", "fullTitle": "parses \\"{\\" and }", "file": "/x.js", "err": {}},',
      '    {"title": "b", "fullTitle": "B b", "file": "/x.js", "err": {"message": "expected } to be {\\"a\\": 1}"}}',
      "  ],",
      '  "pending": [],',
      '  "failures": [{"title": "b", "fullTitle": "B b", "file": "/x.js", "err": {"message": "x"}}],',
      '  "passes": [{"title": "a", "fullTitle": "parses \\"{\\" and }", "file": "/x.js", "err": {}}]',
      "}"
    ),
    expected: { 'parses "{" and }': "passed", "B b": "failed" }
  }
]

const JUNIT_XML: ReadonlyArray<EdgeCase> = [
  {
    name: "truncated document keeps its completed suites",
    output: lines(
      '<?xml version="1.0"?>',
      "<testsuites>",
      '  <testsuite name="complete">',
      '    <testcase classname="a.B" name="one"/>',
      '    <testcase classname="a.B" name="two"><failure message="x"/></testcase>',
      "  </testsuite>",
      '  <testsuite name="cut">',
      '    <testcase classname="a.C" name="three"/>'
    ),
    expected: { "complete > a.B > one": "passed", "complete > a.B > two": "failed" }
  },
  {
    name: "entities, control characters and '>' in attributes",
    output: lines(
      '<testsuite name="weird &amp; &lt;suite&gt;">',
      '  <testcase classname="pkg.T" name="line&#10;break &nbsp;here"/>',
      '  <testcase classname="pkg.T" name="ctrl \x1b[31m colour"><error message="bad &#x1b; ref"/></testcase>',
      '  <testcase classname="pkg.T" name="a > b"/>',
      "</testsuite>"
    ),
    expected: {
      "weird & <suite> > pkg.T > line break &nbsp;here": "passed",
      "weird & <suite> > pkg.T > ctrl \ufffd[31m colour": "failed",
      "weird & <suite> > pkg.T > a > b": "passed"
    }
  },
  {
    name: "several documents with noise and a stray end tag between",
    output: lines(
      "....F",
      '<testsuite name="first"><testcase classname="m" name="t1"/></testsuite>',
      "some noise </testsuite> stray",
      '<testsuites><testsuite name="second"><testcase classname="m" name="t1"><skipped/></testcase>' +
        '<testcase classname="m" name="t2"/></testsuite></testsuites>'
    ),
    expected: { "first > m > t1": "passed", "second > m > t2": "passed" }
  },
  {
    name: "malformed document is skipped, its well-formed inner suites count",
    output:
      '<testsuites><testsuite name="ok"><testcase name="fine"/></testsuite>' +
      '<testsuite name="bad"><testcase name="x" foo></testcase></testsuite></testsuites>',
    expected: { "ok > fine": "passed" }
  },
  {
    name: "Surefire-style namespaced attributes and CDATA holding markup",
    output: lines(
      "[INFO] Running com.example.CalcTest",
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="surefire.xsd" ' +
        'name="com.example.CalcTest" tests="2" failures="1">',
      '  <properties><property name="java.version" value="17"/></properties>',
      '  <testcase name="adds" classname="com.example.CalcTest" time="0.001"/>',
      '  <testcase name="divides" classname="com.example.CalcTest"><failure message="expected: &lt;2&gt;">' +
        "<![CDATA[AssertionFailedError: expected: <2> but was: <3>]]></failure>" +
        "<system-out><![CDATA[log <!-- not a comment -- really ]]></system-out></testcase>",
      "</testsuite>"
    ),
    expected: { "com.example.CalcTest > adds": "passed", "com.example.CalcTest > divides": "failed" }
  },
  {
    name: "markup the validator accepts but the parser cannot read",
    output: '<testsuites><testsuite name="a"><testcase name="t"/></testsuite><!"-- broken --></testsuites>',
    expected: { "a > t": "passed" }
  }
]

const PYTEST: ReadonlyArray<EdgeCase> = [
  {
    name: "colours; summary-like lines outside the summary are ignored",
    output: lines(
      "\x1b[1m============================= test session starts ==============================\x1b[0m",
      "collected 3 items",
      "",
      "tests/test_a.py \x1b[32m.\x1b[0m\x1b[31mF\x1b[0m\x1b[33ms\x1b[0m",
      "PASSED tests/test_a.py::test_printed_by_a_test",
      "=========================== short test summary info ============================",
      "\x1b[32mPASSED\x1b[0m tests/test_a.py::test_one",
      "\x1b[31mFAILED\x1b[0m tests/test_a.py::test_two - assert [1] == [2]",
      "SKIPPED [1] tests/test_a.py:9: no network",
      "\x1b[31m===== 1 failed, 1 passed, 1 skipped in 0.01s =====\x1b[0m",
      "PASSED tests/test_a.py::test_after_summary"
    ),
    expected: { "tests/test_a.py::test_one": "passed", "tests/test_a.py::test_two": "failed" }
  },
  {
    name: "xdist progress lines of a killed run",
    output: lines(
      "[gw0] [ 33%] PASSED tests/test_a.py::test_one ",
      "[gw1] [ 66%] FAILED tests/test_a.py::test_two ",
      "[gw0] [100%] XFAIL tests/test_a.py::test_three "
    ),
    expected: { "tests/test_a.py::test_one": "passed", "tests/test_a.py::test_two": "failed" }
  },
  {
    name: "node ids with spaces and brackets",
    output: lines(
      "=========================== short test summary info ============================",
      "PASSED tests/test_p.py::test_p[a b]",
      "FAILED tests/test_p.py::test_p[c] - AssertionError: got [1] ] expected",
      "XPASS tests/test_p.py::test_q[x-y] reason with [brackets]",
      "ERROR tests/test_p.py::TestK::test_r - fixture 'db' not found",
      "========================= 1 failed, 1 passed in 0.1s ========================="
    ),
    expected: {
      "tests/test_p.py::test_p[a b]": "passed",
      "tests/test_p.py::test_p[c]": "failed",
      "tests/test_p.py::test_q[x-y]": "passed",
      "tests/test_p.py::TestK::test_r": "failed"
    }
  }
]

const UNITTEST: ReadonlyArray<EdgeCase> = [
  {
    name: "Python 3.10 format (class without method in parentheses)",
    output: lines(
      "test_add (tests.test_math.MathTests) ... ok",
      "test_div (tests.test_math.MathTests) ... ERROR",
      "test_skip (tests.test_math.MathTests) ... skipped 'later'",
      "setUpModule (tests.test_db) ... ERROR"
    ),
    expected: {
      "tests.test_math.MathTests.test_add": "passed",
      "tests.test_math.MathTests.test_div": "failed",
      "tests.test_db.setUpModule": "failed"
    }
  },
  {
    name: "a result glued to test output is not guessed",
    output: lines("test_a (m.T.test_a) ... partial outputok", "test_b (m.T.test_b) ... ok", "test_c (m.T.test_c) ... ", "ok"),
    expected: { "m.T.test_b": "passed", "m.T.test_c": "passed" }
  },
  {
    name: "result words with no pending test",
    output: lines("ok", "FAIL", "expected failure"),
    expected: {}
  }
]

const JEST_JSON: ReadonlyArray<EdgeCase> = [
  {
    name: "files sorted by path; a failed file without failed tests; non-verdict statuses",
    output: lines(
      JSON.stringify({
        testResults: [
          {
            name: "/repo/src/b/util.test.js",
            status: "failed",
            message: "afterAll hook failed",
            assertionResults: [{ ancestorTitles: ["util"], title: "works", status: "passed" }]
          },
          {
            name: "/repo/src/a/api.test.js",
            status: "passed",
            message: "",
            assertionResults: [
              { ancestorTitles: [], title: "works", status: "passed" },
              { ancestorTitles: [], title: "skipped", status: "pending" },
              { ancestorTitles: [], title: "disabled one", status: "disabled" }
            ]
          }
        ]
      })
    ),
    expected: { works: "passed", "util > works": "passed", "b/util.test.js": "failed" }
  },
  {
    name: "truncated report yields nothing",
    output: '{"numTotalTests":3,"testResults":[{"assertionResults":[{"ancestorTitles":[],"title":"a","status":"passed"}',
    expected: {}
  },
  {
    name: "two reports in one stream",
    output: lines(
      "PASS a.test.js",
      JSON.stringify({ testResults: [{ name: "/x/a.test.js", status: "passed", assertionResults: [{ ancestorTitles: [], title: "t", status: "passed" }] }] }),
      "FAIL a.test.js",
      JSON.stringify({ testResults: [{ name: "/x/a.test.js", status: "failed", assertionResults: [{ ancestorTitles: [], title: "t", status: "failed" }] }] })
    ),
    expected: { t: "passed", "t #2": "failed" }
  }
]

export const EDGE_CASES: Readonly<Record<BuiltinParserName, ReadonlyArray<EdgeCase>>> = {
  tap: [...COMMON, ...TAP],
  "mocha-json": [...COMMON, ...MOCHA_JSON],
  "junit-xml": [...COMMON, ...JUNIT_XML],
  pytest: [...COMMON, ...PYTEST],
  unittest: [...COMMON, ...UNITTEST],
  "jest-json": [...COMMON, ...JEST_JSON]
}
