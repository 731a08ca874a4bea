import { createHash } from "node:crypto"
import { FILE_HEADERS_ONLY, formatPatch, reversePatch, type StructuredPatch, type StructuredPatchHunk } from "diff"
import { diffProblem, parseSections, type DiffProblem, type ParsedSection } from "./parse.ts"

export type SplitResult = { readonly ok: true; readonly sections: ReadonlyMap<string, string> } | DiffProblem
export type DiffTextResult = { readonly ok: true; readonly text: string } | DiffProblem
export type DiffHashResult = { readonly ok: true; readonly hash: string } | DiffProblem

/** Each file's exact section (see FilePatch.text), keyed by FilePatch.path, in the diff's order. */
export const splitByFile = (text: string): SplitResult => {
  const parsed = parseSections(text)
  if (!parsed.ok) return parsed
  return { ok: true, sections: new Map(parsed.sections.map((section) => [section.file.path, section.file.text])) }
}

/** Concatenates per-file sections in the given order, ending each with a newline; empty sections are skipped. */
export const joinDiffs = (sections: Iterable<string>): string => {
  let joined = ""
  for (const section of sections) {
    if (section.length === 0) continue
    joined += section.endsWith("\n") ? section : section + "\n"
  }
  return joined
}

/** A file's section (see splitByFile) as one diff per hunk, each with the file's header lines. */
export const splitHunks = (fileSection: string): Array<string> => {
  const lines = fileSection.split("\n")
  const first = lines.findIndex((l) => l.startsWith("@@"))
  if (first === -1) return []
  const header = lines.slice(0, first)
  const hunks: Array<Array<string>> = []
  for (const line of lines.slice(first)) {
    if (line.startsWith("@@")) hunks.push([line])
    else hunks[hunks.length - 1]?.push(line)
  }
  return hunks.map((hunk) => {
    const text = [...header, ...hunk].join("\n")
    return text.endsWith("\n") ? text : `${text}\n`
  })
}

/** The library's formatter throws on patches it cannot print; that must reach callers as a problem, not a throw. */
const guarded = (
  section: ParsedSection,
  transform: (section: ParsedSection) => string | DiffProblem
): string | DiffProblem => {
  try {
    return transform(section)
  } catch (error) {
    const path = JSON.stringify(section.file.path)
    return diffProblem(`cannot transform the section of ${path}: ${(error as Error).message}`)
  }
}

/** Within each run of changed lines, puts removals before additions (git's order); `\` markers stay with their line. */
const removalsFirst = (lines: ReadonlyArray<string>): Array<string> => {
  const result: Array<string> = []
  let removals: Array<string> = []
  let additions: Array<string> = []
  let lastTarget: Array<string> = result
  const flush = () => {
    result.push(...removals, ...additions)
    removals = []
    additions = []
  }
  for (const line of lines) {
    if (line.startsWith("-")) lastTarget = removals
    else if (line.startsWith("+")) lastTarget = additions
    else if (!line.startsWith("\\")) {
      flush()
      lastTarget = result
    }
    lastTarget.push(line)
  }
  flush()
  return result
}

const reverseBinaryPayload = (payload: ReadonlyArray<string>, path: string): Array<string> | DiffProblem => {
  const chunks: Array<Array<string>> = []
  for (const line of payload.slice(1)) {
    if (/^(literal|delta) \d+$/.test(line)) chunks.push([line])
    else if (line.length > 0) chunks.at(-1)?.push(line)
  }
  if (chunks.length !== 2) {
    const found = `${chunks.length} data chunk(s), not a forward and a reverse one`
    return diffProblem(`binary patch of ${JSON.stringify(path)} has ${found}; cannot reverse it`)
  }
  return [payload[0]!, ...chunks[1]!, "", ...chunks[0]!, ""]
}

const reverseSection = (section: ParsedSection): string | DiffProblem => {
  const { file, structured } = section
  if (structured.isCopy === true) {
    const why = "its reverse needs the copy's full content, which the diff lacks"
    return diffProblem(`${JSON.stringify(file.path)} is a copy (diff -C); ${why}`)
  }
  const reversed = reversePatch(structured)
  const withGitOrder: StructuredPatch = {
    ...reversed,
    hunks: reversed.hunks.map((hunk) => ({ ...hunk, lines: removalsFirst(hunk.lines) }))
  }
  if (!section.git) return formatPatch(withGitOrder, FILE_HEADERS_ONLY)

  const lines = formatPatch(withGitOrder).split("\n")
  lines.pop() // formatPatch ends with a newline
  const firstFileHeader = lines.findIndex((line) => line.startsWith("--- "))
  const headerEnd = firstFileHeader === -1 ? lines.length : firstFileHeader
  if (section.index !== null) {
    const { oldHash, newHash, mode } = section.index
    lines.splice(headerEnd, 0, `index ${newHash}..${oldHash}${mode === null ? "" : ` ${mode}`}`)
  }
  if (section.similarity.length > 0) {
    const renameAt = lines.findIndex((line) => line.startsWith("rename from ") || line.startsWith("copy from "))
    lines.splice(renameAt === -1 ? headerEnd : renameAt, 0, ...section.similarity)
  }
  if (file.binary) {
    if (section.binaryPayload.length > 0) {
      const payload = reverseBinaryPayload(section.binaryPayload, file.path)
      if (!Array.isArray(payload)) return payload
      lines.push(...payload)
    } else {
      const oldName = reversed.isCreate === true ? "/dev/null" : reversed.oldFileName
      const newName = reversed.isDelete === true ? "/dev/null" : reversed.newFileName
      lines.push(`Binary files ${oldName} and ${newName} differ`)
    }
  }
  return lines.join("\n") + "\n"
}

/**
 * The diff that undoes `text`, section by section as `git diff -R` prints it (removals before additions, swapped
 * `index` hashes and modes), except that hunk headers carry no function context and files keep the input's order
 * (git sorts them by the reversed names). `git apply` accepts it on the changed tree and restores the
 * original tree, including modes, renames, creations, deletions and binary files (binary only when the input
 * carries `GIT binary patch` data or full `index` hashes). Copies (`-C`) cannot be reversed and are a problem.
 */
export const reverseDiff = (text: string): DiffTextResult => {
  const parsed = parseSections(text)
  if (!parsed.ok) return parsed
  const sections: Array<string> = []
  for (const section of parsed.sections) {
    const reversed = guarded(section, reverseSection)
    if (typeof reversed !== "string") return reversed
    sections.push(reversed)
  }
  return { ok: true, text: joinDiffs(sections) }
}

/** Splits hunks into zero-context hunks, one per run of changed lines, with removals first. */
const withoutContext = (hunks: ReadonlyArray<StructuredPatchHunk>): Array<StructuredPatchHunk> => {
  const result: Array<StructuredPatchHunk> = []
  for (const hunk of hunks) {
    let oldLine = hunk.oldStart
    let newLine = hunk.newStart
    let run: { oldStart: number; newStart: number; removals: Array<string>; additions: Array<string> } | null = null
    let lastTarget: Array<string> | null = null
    const flush = () => {
      if (run === null) return
      const { oldStart, newStart, removals, additions } = run
      const count = (lines: Array<string>) => lines.filter((line) => !line.startsWith("\\")).length
      const lines = [...removals, ...additions]
      result.push({ oldStart, oldLines: count(removals), newStart, newLines: count(additions), lines })
      run = null
    }
    for (const line of hunk.lines) {
      if (line.startsWith("-") || line.startsWith("+")) {
        run ??= { oldStart: oldLine, newStart: newLine, removals: [], additions: [] }
        lastTarget = line.startsWith("-") ? run.removals : run.additions
        lastTarget.push(line)
        if (line.startsWith("-")) oldLine++
        else newLine++
      } else if (line.startsWith("\\")) {
        lastTarget?.push(line)
      } else {
        flush()
        lastTarget = null
        oldLine++
        newLine++
      }
    }
    flush()
  }
  return result
}

const DEFAULT_FILE_MODE = "100644"
const ABBREVIATED_HASH = 7

const canonicalSection = (section: ParsedSection): string => {
  const { file, structured } = section
  const canonical: StructuredPatch = {
    isGit: true,
    oldFileName: file.oldPath === null ? "/dev/null" : `a/${file.oldPath}`,
    newFileName: file.newPath === null ? "/dev/null" : `b/${file.newPath}`,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: withoutContext(structured.hunks)
  }
  if (file.change === "add") {
    canonical.isCreate = true
    canonical.newMode = structured.newMode ?? DEFAULT_FILE_MODE
  } else if (file.change === "delete") {
    canonical.isDelete = true
    canonical.oldMode = structured.oldMode ?? DEFAULT_FILE_MODE
  } else if (structured.oldMode !== undefined && structured.newMode !== undefined) {
    canonical.oldMode = structured.oldMode
    canonical.newMode = structured.newMode
  }
  if (file.change === "rename") canonical.isRename = true
  if (file.change === "copy") canonical.isCopy = true

  let text = formatPatch(canonical)
  if (file.binary) {
    if (section.index !== null) {
      const { oldHash, newHash } = section.index
      text += `index ${oldHash.slice(0, ABBREVIATED_HASH)}..${newHash.slice(0, ABBREVIATED_HASH)}\n`
    } else {
      text += `binary data sha256 ${createHash("sha256").update(section.binaryPayload.join("\n")).digest("hex")}\n`
    }
    text += `Binary files ${canonical.oldFileName} and ${canonical.newFileName} differ\n`
  }
  return text
}

const byPath = (a: ParsedSection, b: ParsedSection): number => {
  const key = (section: ParsedSection) => `${section.file.path}\u0000${section.file.oldPath ?? ""}`
  const [left, right] = [key(a), key(b)]
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * Canonical text of a diff for deduplication: two diffs with the same normal form make the same change to the same
 * base. The rule, per file section, sections sorted by path (code-unit order):
 * - headers are regenerated: `diff --git a/<old> b/<new>`, mode/rename/copy/new/deleted lines; `index`,
 *   `similarity` lines, `---`/`+++` timestamps and trailing tabs are dropped; `a/`/`b/` prefixes are canonical;
 *   creations and deletions without a mode (traditional diffs) get mode 100644;
 * - every hunk is cut to zero context, one hunk per run of changed lines, removals before additions, headers in
 *   `-start,count +start,count` form with no function context; so `-U<n>` for any n, function-context headers,
 *   `--minimal`-style reordering inside a run, and whitespace-only differences in context lines all disappear;
 *   a "\ No newline at end of file" marker is kept on changed lines and dropped with context lines;
 * - added and removed lines are kept byte for byte: trailing whitespace and CRs in them are content, so they are
 *   never stripped (a whitespace-only change must not normalise to nothing);
 * - binary files become an `index` line with both hashes cut to 7 hex digits (stable across `--abbrev` and
 *   `--full-index`) and a `Binary files … differ` line; without an `index` line, the sha256 of their
 *   `GIT binary patch` data stands in for the hashes.
 * Not normalised: rename detection (`-M` rename vs delete + add) and different diff algorithms' choices of lines.
 * For text files the result is itself a valid diff (`git apply --unidiff-zero` accepts it).
 */
export const normaliseDiff = (text: string): DiffTextResult => {
  const parsed = parseSections(text)
  if (!parsed.ok) return parsed
  const sections: Array<string> = []
  for (const section of [...parsed.sections].sort(byPath)) {
    const canonical = guarded(section, canonicalSection)
    if (typeof canonical !== "string") return canonical
    sections.push(canonical)
  }
  return { ok: true, text: sections.join("") }
}

/** sha256 (hex) of normaliseDiff's text. */
export const diffHash = (text: string): DiffHashResult => {
  const normalised = normaliseDiff(text)
  if (!normalised.ok) return normalised
  return { ok: true, hash: createHash("sha256").update(normalised.text).digest("hex") }
}
