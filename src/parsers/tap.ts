import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { splitLines, stripAnsi, trimAscii, uniqueIds } from "./shared.ts"

/**
 * TAP 13/14 parser (python/tap.py is its twin).
 *
 * - Nested subtests (indented test points, as `node --test --test-reporter=tap` prints them, children before their
 *   parent) get ids "parent > child". Only leaves are reported; a parent is reported only when it is `not ok` and
 *   none of its reported descendants failed (its own failure, e.g. an error thrown after its subtests).
 * - If the stream has no `# Subtest:` header, it is read as flat tape-style TAP: a top-level `# name` comment names
 *   the group of the test points that follow ("<group> > <assertion>"); `TAP version` resets the group.
 * - Test points of a truncated run whose parent line never came get their ancestors from `# Subtest:` headers.
 * - `# SKIP` → absent; `# TODO` → passed if ok, absent if not ok. YAML blocks, plans, `Bail out!`, other comments and
 *   any non-TAP line are ignored.
 * - Names are unescaped (`\#` → `#`, `\\` → `\`); repeated ids get " #2", " #3"… in order of appearance.
 */

interface TestPoint {
  readonly indent: number
  readonly ok: boolean
  readonly directive: "skip" | "todo" | null
  readonly name: string
  /** Names of the `# Subtest:` headers enclosing this point when it was read (shallower indents only). */
  readonly headerNames: ReadonlyArray<string>
  readonly group: string | null
  children: Array<TestPoint>
  path: Array<string>
  /** The lines of its YAML diagnostic block (between `---` and `...`), as printed. */
  readonly yaml: Array<string>
}

const TEST_POINT = /^( *)(not ok|ok)(?![^ \t])(.*)$/s
const TEST_NUMBER = /^[ \t]+([0-9]+)(?![^ \t])/
const DESCRIPTION_DASH = /^[ \t]*(?:-(?=[ \t]|$))?[ \t]*/
const DIRECTIVE = /^[ \t]*(skip(?:ped)?|todo)(?![A-Za-z])/i
const SUBTEST_HEADER = /^( *)# Subtest:(.*)$/s
const GROUP_COMMENT = /^#(.*)$/s
const YAML_START = /^( +)---[ \t]*$/
const YAML_END = /^ *\.\.\.[ \t]*$/
const TAP_VERSION = /^TAP version /i

const unescapeTap = (text: string): string => text.replace(/\\([\\#])/g, "$1")

const leadingSpaces = (line: string): number => line.length - line.replace(/^ +/, "").length

/** Splits "desc # DIRECTIVE reason" at the first unescaped '#' that starts a SKIP/TODO directive. */
const splitDirective = (text: string): { readonly description: string; readonly directive: "skip" | "todo" | null } => {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "\\") {
      i++
      continue
    }
    if (c !== "#") continue
    const match = DIRECTIVE.exec(text.slice(i + 1))
    if (match) {
      return { description: text.slice(0, i), directive: match[1]!.toLowerCase() === "todo" ? "todo" : "skip" }
    }
  }
  return { description: text, directive: null }
}

const readTestPoint = (match: RegExpExecArray, headers: ReadonlyMap<number, string>, group: string | null): TestPoint => {
  const indent = match[1]!.length
  let rest = match[3]!
  const number = TEST_NUMBER.exec(rest)
  if (number) rest = rest.slice(number[0].length)
  rest = rest.replace(DESCRIPTION_DASH, "")
  const { description, directive } = splitDirective(rest)
  const name = unescapeTap(trimAscii(description))
  const headerNames = [...headers.entries()]
    .filter(([headerIndent]) => headerIndent < indent)
    .sort(([a], [b]) => a - b)
    .map(([, headerName]) => headerName)
  return {
    indent,
    ok: match[2] === "ok",
    directive,
    name: name.length > 0 ? name : (number?.[1] ?? ""),
    headerNames,
    group,
    children: [],
    path: [],
    yaml: []
  }
}

const verdict = (point: TestPoint): ParsedStatus | null => {
  if (point.directive === "skip") return null
  if (point.directive === "todo") return point.ok ? "passed" : null
  return point.ok ? "passed" : "failed"
}

/** Verdict reported for each point (null = not reported), filled bottom-up; returns whether the subtree reports a failure. */
const decide = (point: TestPoint, reported: Map<TestPoint, ParsedStatus | null>): boolean => {
  let descendantFailed = false
  for (const child of point.children) descendantFailed = decide(child, reported) || descendantFailed
  const own = verdict(point)
  const status = point.children.length === 0 || (own === "failed" && !descendantFailed) ? own : null
  reported.set(point, status)
  return descendantFailed || status === "failed"
}

const assignPaths = (point: TestPoint, ownerPath: ReadonlyArray<string> | null): void => {
  const prefix = ownerPath ?? [...(point.group === null ? [] : [point.group]), ...point.headerNames]
  point.path = [...prefix, point.name]
  for (const child of point.children) assignPaths(child, point.path)
}

/** A test point as read, with the id the report gives it (or would give it) and its YAML diagnostics. */
export interface TapPoint {
  readonly id: string
  readonly path: ReadonlyArray<string>
  /** Its verdict in the report; null when it is not reported (skipped, or the parent of reported subtests). */
  readonly status: ParsedStatus | null
  readonly yaml: ReadonlyArray<string>
}

/**
 * Every test point of a TAP stream in order of appearance, named exactly as parseTap reports them. `flat` tells
 * a tape-style stream (each point one assertion of the `# name` group before it).
 */
export const readTapPoints = (output: string): { readonly flat: boolean; readonly points: ReadonlyArray<TapPoint> } => {
  const lines = splitLines(stripAnsi(output))
  const flatGroups = !lines.some((line) => SUBTEST_HEADER.test(line))
  const points: Array<TestPoint> = []
  const unowned: Array<TestPoint> = []
  const headers = new Map<number, string>()
  let group: string | null = null
  let yamlIndent: number | null = null
  let lastPointIndent: number | null = null

  for (const line of lines) {
    if (yamlIndent !== null) {
      // Inside a YAML block: lines indented at least as much as its `---` belong to it, up to `...`.
      if (trimAscii(line).length === 0 || leadingSpaces(line) >= yamlIndent) {
        if (leadingSpaces(line) === yamlIndent && YAML_END.test(line)) yamlIndent = null
        else points[points.length - 1]!.yaml.push(line)
        continue
      }
      yamlIndent = null
    }
    const point = TEST_POINT.exec(line)
    if (point) {
      const parsed = readTestPoint(point, headers, flatGroups ? group : null)
      while (unowned.length > 0 && unowned[unowned.length - 1]!.indent > parsed.indent) {
        parsed.children.push(unowned.pop()!)
      }
      parsed.children.reverse()
      unowned.push(parsed)
      points.push(parsed)
      lastPointIndent = parsed.indent
      continue
    }
    const yaml = YAML_START.exec(line)
    if (yaml && lastPointIndent !== null && yaml[1]!.length > lastPointIndent) {
      yamlIndent = yaml[1]!.length
      continue
    }
    const header = SUBTEST_HEADER.exec(line)
    if (header) {
      const indent = header[1]!.length
      for (const known of [...headers.keys()]) if (known > indent) headers.delete(known)
      headers.set(indent, unescapeTap(trimAscii(header[2]!)))
      continue
    }
    if (TAP_VERSION.test(line)) {
      group = null
      continue
    }
    const comment = GROUP_COMMENT.exec(line)
    if (comment && flatGroups) group = trimAscii(comment[1]!)
  }

  const reported = new Map<TestPoint, ParsedStatus | null>()
  for (const root of unowned) {
    assignPaths(root, null)
    decide(root, reported)
  }
  const ids = uniqueIds(points.map((p) => p.path.join(" > ")))
  return {
    flat: flatGroups,
    points: points.map((p, i) => ({ id: ids[i]!, path: p.path, status: reported.get(p) ?? null, yaml: p.yaml }))
  }
}

export const parseTap = (output: string): TestReport =>
  Object.fromEntries(readTapPoints(output).points.flatMap((p) => (p.status === null ? [] : [[p.id, p.status] as const])))
