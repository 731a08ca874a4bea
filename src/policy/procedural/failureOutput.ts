import { readTapPoints } from "../../parsers/tap.ts"

/*
 * Reads what a TAP run says about its failures beyond the parsed verdicts: for each failed test the built-in
 * TAP parser reports (same walk, same ids: parsers/tap.ts readTapPoints), its name path, the failure message
 * and every file:line its YAML block mentions (node:test `location:` and stack frames, tape `at:` and stack
 * frames). Used to map failing ids to test files and assertions (injector) and to localise faults in code
 * files (solver).
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

const FRAME = /(?:file:\/\/)?(\/[^\s():'"]+):(\d+):(\d+)/g

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

/** Every failed test of a TAP stream, with paths relative to `root` (the repository root in the sandbox). */
export const readFailures = (output: string, root: string): Array<FailureRecord> => {
  const { flat, points } = readTapPoints(output)
  return points.filter((p) => p.status === "failed").map((point): FailureRecord => {
    const yaml = point.yaml
    const locationLine = yaml.find((l) => /^\s*location:/.test(l))
    const declared = locationLine === undefined ? [] : framesIn(locationLine, root)
    return {
      id: point.id,
      path: point.path,
      assertionPoints: flat,
      message: flat ? point.path[point.path.length - 1] : messageOf(yaml),
      details: yaml.join("\n"),
      declaredAt: declared[0],
      frames: framesIn(yaml.filter((l) => !/^\s*location:/.test(l)).join("\n"), root)
    }
  })
}

/** Strips the parser's " #n" repeat suffix from an id. */
export const baseId = (id: string): string => id.replace(/ #\d+$/, "")
