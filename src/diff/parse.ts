import { parsePatch, type StructuredPatch } from "diff"
import { locateSections, type SectionSpan } from "./sections.ts"

export type FileChange = "modify" | "add" | "delete" | "rename" | "copy"

/** One file's part of a diff. Paths are repository-relative, with the `a/`/`b/` prefix removed (as `git apply -p1`). */
export interface FilePatch {
  /** null when the file is created (`/dev/null` or `new file mode`). */
  readonly oldPath: string | null
  /** null when the file is deleted. */
  readonly newPath: string | null
  /** The path a user would name: the new path, or the old path for deletions. */
  readonly path: string
  /** "copy" only appears in diffs made with `-C`; the copy's source is `oldPath` and is left untouched. */
  readonly change: FileChange
  readonly binary: boolean
  readonly hunks: number
  readonly added: number
  readonly removed: number
  /**
   * This file's section of the original diff, byte for byte; `git apply` accepts it alone whenever it accepts the
   * whole diff (binary sections apply only with `GIT binary patch` data or full `index` hashes, as in any diff).
   */
  readonly text: string
}

export interface DiffProblem {
  readonly ok: false
  readonly reason: string
}

export const diffProblem = (reason: string): DiffProblem => ({ ok: false, reason })

export type ParseResult = { readonly ok: true; readonly files: ReadonlyArray<FilePatch> } | DiffProblem

/** A file section with what the `diff` library made of it, for the transformations. */
export interface ParsedSection {
  readonly file: FilePatch
  readonly structured: StructuredPatch
  readonly git: boolean
  /** The section's `index <old>..<new>[ <mode>]` line, if any. */
  readonly index: { readonly oldHash: string; readonly newHash: string; readonly mode: string | null } | null
  /** `similarity index N%` / `dissimilarity index N%` lines, kept verbatim. */
  readonly similarity: ReadonlyArray<string>
  /** Lines from `GIT binary patch` to the end of the section (empty when there is none). */
  readonly binaryPayload: ReadonlyArray<string>
}

export type SectionsParseResult = { readonly ok: true; readonly sections: ReadonlyArray<ParsedSection> } | DiffProblem

const DEV_NULL = "/dev/null"
const INDEX_LINE = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/
const SIMILARITY_LINE = /^(dis)?similarity index \d+%$/

const describeNonDiff = (text: string): string => {
  const trimmed = text.trimStart()
  const kind = /^[[{]/.test(trimmed) ? "looks like JSON" : "looks like prose or code"
  const firstLine = trimmed.split("\n", 1)[0] ?? ""
  const shown = firstLine.length > 60 ? firstLine.slice(0, 60) + "…" : firstLine
  const headers = `"diff --git" or "---"/"+++"`
  return `not a diff: no ${headers} file header found (text ${kind}, starting ${JSON.stringify(shown)})`
}

/** Removes the first path component, as `git apply -p1` does; null when there is none to remove. */
const stripPrefix = (name: string): string | null => {
  const slash = name.indexOf("/")
  if (slash === -1 || slash === name.length - 1) return null
  return name.slice(slash + 1)
}

/**
 * Names from an unquoted `diff --git <old> <new>` line with prefixes other than a/ and b/ (which the library does
 * not split): like git, take the split at which both names are equal once their first component is removed.
 */
const namesFromGitHeader = (headerLine: string): { oldName: string; newName: string } | null => {
  const rest = headerLine.slice("diff --git ".length)
  for (let space = rest.indexOf(" "); space !== -1; space = rest.indexOf(" ", space + 1)) {
    const oldName = rest.slice(0, space)
    const newName = rest.slice(space + 1)
    const stripped = stripPrefix(oldName)
    if (stripped !== null && stripped === stripPrefix(newName)) return { oldName, newName }
  }
  return null
}

const changeOf = (patch: StructuredPatch, oldPath: string | null, newPath: string | null): FileChange => {
  if (patch.isCopy === true) return "copy"
  if (patch.isRename === true) return "rename"
  if (oldPath === null) return "add"
  if (newPath === null) return "delete"
  return "modify"
}

const countChangedLines = (patch: StructuredPatch): { added: number; removed: number } => {
  let added = 0
  let removed = 0
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added++
      else if (line.startsWith("-")) removed++
    }
  }
  return { added, removed }
}

/** The header lines the library does not keep (`index`, similarity) and the `GIT binary patch` payload. */
const readGitExtras = (text: string): Pick<ParsedSection, "index" | "similarity" | "binaryPayload"> => {
  const lines = text.split("\n")
  let index: ParsedSection["index"] = null
  const similarity: Array<string> = []
  const payloadStart = lines.indexOf("GIT binary patch")
  for (const line of payloadStart === -1 ? lines : lines.slice(0, payloadStart)) {
    if (line.startsWith("--- ") || line.startsWith("@@ ")) break
    const indexMatch = INDEX_LINE.exec(line)
    if (indexMatch !== null) index = { oldHash: indexMatch[1]!, newHash: indexMatch[2]!, mode: indexMatch[3] ?? null }
    if (SIMILARITY_LINE.test(line)) similarity.push(line)
  }
  // Sections always end with a newline, so the last split element is empty.
  const binaryPayload = payloadStart === -1 ? [] : lines.slice(payloadStart, -1)
  return { index, similarity, binaryPayload }
}

const interpretSection = (text: string, span: SectionSpan): ParsedSection | DiffProblem => {
  const where = `file section at line ${span.line}`
  if (text.slice(0, text.indexOf("\n")).endsWith("\r")) {
    return diffProblem(`${where}: header lines end with CR; the diff was converted to CRLF and git apply rejects it`)
  }
  let patches: Array<StructuredPatch>
  try {
    patches = parsePatch(text)
  } catch (error) {
    return diffProblem(`${where}: ${(error as Error).message}`)
  }
  const structured = patches[0]
  if (patches.length !== 1 || structured === undefined) {
    return diffProblem(`${where}: expected one file, the diff library found ${patches.length}`)
  }

  if (span.git && (structured.oldFileName === undefined || structured.newFileName === undefined)) {
    const names = namesFromGitHeader(text.slice(0, text.indexOf("\n")))
    if (names !== null) {
      structured.oldFileName ??= names.oldName
      structured.newFileName ??= names.newName
    }
  }
  const created = structured.isCreate === true || structured.oldFileName === DEV_NULL
  const deleted = structured.isDelete === true || structured.newFileName === DEV_NULL
  const oldName = created ? null : structured.oldFileName
  const newName = deleted ? null : structured.newFileName
  if (oldName === undefined || newName === undefined || (oldName === null && newName === null)) {
    return diffProblem(`${where}: cannot tell which file it changes`)
  }
  const oldPath = oldName === null ? null : stripPrefix(oldName)
  const newPath = newName === null ? null : stripPrefix(newName)
  if ((oldName !== null && oldPath === null) || (newName !== null && newPath === null)) {
    const name = JSON.stringify(oldName ?? newName)
    return diffProblem(
      `${where}: file name ${name} has no leading directory to strip (git apply -p1 rejects it; made with --no-prefix?)`
    )
  }

  const { added, removed } = countChangedLines(structured)
  const { index, similarity, binaryPayload } = readGitExtras(text)

  const path = (newPath ?? oldPath)!
  const change = changeOf(structured, oldPath, newPath)
  const binary = structured.isBinary === true || span.binaryPayload
  const modeChange = structured.oldMode !== undefined && structured.newMode !== undefined
  if (change === "modify" && structured.hunks.length === 0 && !binary && !modeChange) {
    return diffProblem(`${where}: the section for ${JSON.stringify(path)} changes nothing (git apply rejects it)`)
  }
  const file: FilePatch = {
    oldPath,
    newPath,
    path,
    change,
    binary,
    hunks: structured.hunks.length,
    added,
    removed,
    text
  }
  return { file, structured, git: span.git, index, similarity, binaryPayload }
}

const isProblem = (value: ParsedSection | DiffProblem): value is DiffProblem => "ok" in value

/** Parses a diff into sections with the library's view of each; the engine's transformations start here. */
export const parseSections = (text: string): SectionsParseResult => {
  const located = locateSections(text)
  if (!located.ok) return diffProblem(`malformed diff: ${located.reason}`)
  if (located.sections.length === 0) {
    return text.trim().length === 0 ? { ok: true, sections: [] } : diffProblem(describeNonDiff(text))
  }
  const sections: Array<ParsedSection> = []
  const seen = new Map<string, number>()
  for (const span of located.sections) {
    const parsed = interpretSection(text.slice(span.start, span.end), span)
    if (isProblem(parsed)) return diffProblem(`malformed diff: ${parsed.reason}`)
    const earlier = seen.get(parsed.file.path)
    if (earlier !== undefined) {
      const path = JSON.stringify(parsed.file.path)
      return diffProblem(`malformed diff: ${path} is changed by two sections (lines ${earlier} and ${span.line})`)
    }
    seen.set(parsed.file.path, span.line)
    sections.push(parsed)
  }
  return { ok: true, sections }
}

/**
 * Parses a git (or traditional unified) diff. Never throws: damage is reported as `{ ok: false, reason }`.
 * An empty or whitespace-only text is a valid diff with no files. Text before the first file header and after the
 * last hunk is ignored, as `git apply` does. A hunk whose body does not match its header's line counts is
 * malformed, also where `git apply` would silently drop the surplus lines; so are what `git apply` rejects
 * (CRLF-converted headers, a missing final newline, unstrippable `--no-prefix` names, sections that change nothing)
 * and two sections for the same path.
 */
export const parseDiff = (text: string): ParseResult => {
  const parsed = parseSections(text)
  return parsed.ok ? { ok: true, files: parsed.sections.map((section) => section.file) } : parsed
}
