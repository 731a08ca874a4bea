/*
 * Reads what a TAP run says about its failures beyond the parsed verdicts: for each `not ok` point, its name path,
 * the id the built-in TAP parser gives it, the failure message and every file:line the YAML block mentions
 * (node:test `location:` and stack frames, tape `at:` and stack frames). Used to map failing ids to test files
 * and assertions (injector) and to localise faults in code files (solver).
 */

export interface SourceLocation {
  /** Repo-relative path (locations outside the repository are dropped). */
  readonly file: string
  readonly line: number
  readonly column: number
}

export interface FailureRecord {
  /** The id as the TAP parser reports it ("outer > inner", tape: "test name > assertion", " #n" for repeats). */
  readonly id: string
  /** Name path: node:test ancestors then the test; tape: [test name, assertion description]. */
  readonly path: ReadonlyArray<string>
  /** True for flat tape-style streams, where each test point is one assertion. */
  readonly assertionPoints: boolean
  readonly message: string | undefined
  /** The whole YAML diagnostic block (expected/actual, error, stack), for coarse signals. */
  readonly details: string
  /** node:test `location:` (where the test is declared). */
  readonly declaredAt: SourceLocation | undefined
  /** `at:` and stack frames, innermost first. */
  readonly frames: ReadonlyArray<SourceLocation>
}

const TEST_POINT = /^( *)(not ok|ok)\b\s*(?:\d+)?\s*(?:-\s*)?(.*)$/
const SUBTEST = /^( *)# Subtest: (.*)$/
const GROUP = /^# (.*)$/
const SUMMARY = /^# (tests|pass|fail|ok|suites|cancelled|skipped|todo|duration_ms)\b/
const FRAME = /(?:file:\/\/)?(\/[^\s():'"]+):(\d+):(\d+)/g

const unescape = (name: string): string => name.replace(/\\([\\#])/g, "$1").replace(/\s+#\s*(SKIP|TODO)\b.*$/i, "").trim()

const relativeTo = (root: string, absolute: string): string | undefined => {
  const prefix = root.endsWith("/") ? root : `${root}/`
  if (!absolute.startsWith(prefix)) return undefined
  const relative = decodeURIComponent(absolute.slice(prefix.length))
  return relative.split("/").includes("node_modules") ? undefined : relative
}

const framesIn = (text: string, root: string): Array<SourceLocation> => {
  const found: Array<SourceLocation> = []
  for (const match of text.matchAll(FRAME)) {
    const file = relativeTo(root, match[1] ?? "")
    if (file !== undefined) found.push({ file, line: Number(match[2]), column: Number(match[3]) })
  }
  return found
}

const messageOf = (yaml: ReadonlyArray<string>): string | undefined => {
  const index = yaml.findIndex((l) => /^\s*error:/.test(l))
  if (index === -1) return undefined
  const head = (yaml[index] ?? "").replace(/^\s*error:\s*/, "")
  if (head !== "|-" && head !== "|" && head !== ">-") return head.replace(/^'(.*)'$/, "$1")
  const indent = (yaml[index + 1] ?? "").length - (yaml[index + 1] ?? "").trimStart().length
  const lines: Array<string> = []
  for (const line of yaml.slice(index + 1)) {
    if (line.trim() !== "" && line.length - line.trimStart().length < indent) break
    lines.push(line.slice(indent))
  }
  return lines.join("\n").trim()
}

/** Every `not ok` point of a TAP stream, with paths relative to `root` (the repository root in the sandbox). */
export const readFailures = (output: string, root: string): Array<FailureRecord> => {
  const lines = output.split("\n")
  const flat = !lines.some((l) => SUBTEST.test(l))
  const headers: Array<{ indent: number; name: string }> = []
  const seen = new Map<string, number>()
  const failures: Array<FailureRecord> = []
  let group: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "")
    const subtest = SUBTEST.exec(line)
    if (subtest !== null) {
      const indent = subtest[1]?.length ?? 0
      while (headers.length > 0 && (headers[headers.length - 1]?.indent ?? 0) >= indent) headers.pop()
      headers.push({ indent, name: unescape(subtest[2] ?? "") })
      continue
    }
    if (/^TAP version/i.test(line)) group = undefined
    const comment = GROUP.exec(line)
    if (comment !== null && flat && !SUMMARY.test(line)) group = (comment[1] ?? "").trim()
    const point = TEST_POINT.exec(line)
    if (point === null) continue
    const indent = point[1]?.length ?? 0
    const name = unescape(point[3] ?? "")
    const ancestors = flat ? (group === undefined ? [] : [group]) : headers.filter((h) => h.indent < indent).map((h) => h.name)
    if (!flat) while (headers.length > 0 && (headers[headers.length - 1]?.indent ?? 0) >= indent) headers.pop()
    const path = [...ancestors, name]
    const base = path.join(" > ")
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    const yaml: Array<string> = []
    if (/^ *---\s*$/.test(lines[i + 1] ?? "")) {
      for (let j = i + 2; j < lines.length && !/^ *\.\.\.\s*$/.test(lines[j] ?? ""); j++) yaml.push(lines[j] ?? "")
    }
    if (point[2] !== "not ok") continue
    const locationLine = yaml.find((l) => /^\s*location:/.test(l))
    const declared = locationLine === undefined ? [] : framesIn(locationLine, root)
    const frames = framesIn(yaml.filter((l) => !/^\s*location:/.test(l)).join("\n"), root)
    failures.push({
      id: count > 1 ? `${base} #${count}` : base,
      path,
      assertionPoints: flat,
      message: flat ? name : messageOf(yaml),
      details: yaml.join("\n"),
      declaredAt: declared[0],
      frames
    })
  }
  return failures
}

/** Strips the parser's " #n" repeat suffix from an id. */
export const baseId = (id: string): string => id.replace(/ #\d+$/, "")
