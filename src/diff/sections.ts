/*
 * Locates the per-file sections of a unified diff in the original text, byte-exact, so that each section can be
 * handed to `git apply` alone. Only structure is checked here (section starts, hunk line counts, binary payloads);
 * file names and extended headers are interpreted by the `diff` library in parse.ts.
 */

/** One file's section: `text.slice(start, end)` of the whole diff. */
export interface SectionSpan {
  readonly start: number
  readonly end: number
  /** 1-based line of the section's first line in the whole diff, for messages. */
  readonly line: number
  /** True when the section starts with `diff --git`, false for a traditional `---`/`+++` section. */
  readonly git: boolean
  /** True when the section carries a `GIT binary patch` payload. */
  readonly binaryPayload: boolean
}

export type SectionsResult =
  | { readonly ok: true; readonly sections: ReadonlyArray<SectionSpan> }
  | { readonly ok: false; readonly reason: string }

const GIT_HEADER = /^diff --git /
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/
const EXTENDED_HEADER = new RegExp(
  "^(old mode |new mode |deleted file mode |new file mode |copy from |copy to |rename from |rename to |" +
    "similarity index |dissimilarity index |index |Binary files )"
)
const BINARY_PATCH_START = "GIT binary patch"
const BINARY_CHUNK_HEADER = /^(literal|delta) \d+$/
/** A base85 data line: a length letter followed by the base85 alphabet. */
const BINARY_DATA_LINE = /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]*$/

interface OpenSection {
  readonly start: number
  readonly line: number
  readonly git: boolean
  binaryPayload: boolean
  end: number
}

/** `git format-patch` ends a mail with this line; after a complete hunk it is trailing text, not a removal. */
const EMAIL_SIGNATURE = "-- "

type State = "outside" | "gitHeader" | "binaryPayload" | "fileHeaders" | "hunk" | "afterHunk"

interface Line {
  readonly text: string
  readonly start: number
  /** Offset just past the line's newline (or the end of the text for an unterminated last line). */
  readonly end: number
  readonly terminated: boolean
}

const splitLines = (text: string): Array<Line> => {
  const lines: Array<Line> = []
  let start = 0
  while (start < text.length) {
    const newline = text.indexOf("\n", start)
    const end = newline === -1 ? text.length : newline + 1
    lines.push({ text: text.slice(start, newline === -1 ? end : newline), start, end, terminated: newline !== -1 })
    start = end
  }
  return lines
}

const excerpt = (line: string): string => JSON.stringify(line.length > 60 ? line.slice(0, 60) + "…" : line)

/** Finds every file section; fails on structural damage (truncated or overlong hunks, orphan headers). */
export const locateSections = (text: string): SectionsResult => {
  const lines = splitLines(text)
  const sections: Array<SectionSpan> = []
  let state: State = "outside"
  let current = null as OpenSection | null
  let oldLeft = 0
  let newLeft = 0
  let hunkLine = 0

  const close = () => {
    if (current !== null) sections.push({ ...current })
    current = null
  }
  const open = (index: number, git: boolean) => {
    close()
    const line = lines[index]!
    current = { start: line.start, line: index + 1, git, binaryPayload: false, end: line.end }
  }
  const fail = (index: number, reason: string): SectionsResult => ({
    ok: false,
    reason: `line ${index + 1}: ${reason}`
  })
  const isTraditionalStart = (index: number) =>
    lines[index]!.text.startsWith("--- ") && (lines[index + 1]?.text.startsWith("+++ ") ?? false)

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    const body = line.text
    const extend = () => {
      if (current !== null) current.end = line.end
    }

    if (state === "hunk") {
      const kind = body.length === 0 ? " " : body[0]
      if (kind === " ") {
        oldLeft--
        newLeft--
      } else if (kind === "-") oldLeft--
      else if (kind === "+") newLeft--
      else if (kind !== "\\") {
        const expected = `${oldLeft} old and ${newLeft} new line(s) still expected`
        return fail(index, `hunk starting at line ${hunkLine} is truncated: ${expected}, found ${excerpt(body)}`)
      }
      if (oldLeft < 0 || newLeft < 0) {
        const side = oldLeft < 0 ? "old" : "new"
        return fail(index, `hunk starting at line ${hunkLine} has more ${side} lines than its header declares`)
      }
      extend()
      if (oldLeft === 0 && newLeft === 0) state = "afterHunk"
      continue
    }

    if (state === "fileHeaders" && !HUNK_HEADER.test(body)) {
      return fail(index, `file header not followed by a hunk header (found ${excerpt(body)})`)
    }

    if (GIT_HEADER.test(body)) {
      open(index, true)
      state = "gitHeader"
      continue
    }

    const hunk = HUNK_HEADER.exec(body)
    if (hunk !== null) {
      if (state === "outside") return fail(index, `hunk header ${excerpt(body)} without a file header before it`)
      if (state === "binaryPayload") return fail(index, "hunk header inside a binary patch")
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2])
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4])
      hunkLine = index + 1
      extend()
      state = oldLeft === 0 && newLeft === 0 ? "afterHunk" : "hunk"
      continue
    }
    if (body.startsWith("@@") && state !== "outside") return fail(index, `malformed hunk header ${excerpt(body)}`)

    switch (state) {
      case "outside":
      case "afterHunk":
        if (isTraditionalStart(index)) {
          open(index, false)
          current!.end = lines[index + 1]!.end
          index++
          state = "fileHeaders"
        } else if (state === "afterHunk" && body.startsWith("\\")) {
          extend()
        } else if (state === "afterHunk" && /^[-+ ]/.test(body) && body !== EMAIL_SIGNATURE) {
          return fail(index, `hunk starting at line ${hunkLine} has more lines than its header declares`)
        } else {
          close()
          state = "outside"
        }
        break
      case "gitHeader":
        if (body.startsWith("--- ")) {
          if (!isTraditionalStart(index)) return fail(index, `"---" file header without a "+++" line after it`)
          current!.end = lines[index + 1]!.end
          index++
          state = "fileHeaders"
        } else if (body.startsWith("+++ ")) {
          return fail(index, `"+++" file header without a "---" line before it`)
        } else if (body === BINARY_PATCH_START) {
          current!.binaryPayload = true
          extend()
          state = "binaryPayload"
        } else if (EXTENDED_HEADER.test(body)) {
          extend()
        } else {
          close()
          state = "outside"
        }
        break
      case "binaryPayload":
        if (body.length === 0 || BINARY_CHUNK_HEADER.test(body) || BINARY_DATA_LINE.test(body)) {
          extend()
        } else {
          close()
          state = "outside"
        }
        break
    }
  }

  if (state === "hunk") {
    const expected = `${oldLeft} old and ${newLeft} new line(s) still expected`
    return fail(lines.length - 1, `hunk starting at line ${hunkLine} is truncated at the end of the diff: ${expected}`)
  }
  if (state === "fileHeaders") return fail(lines.length - 1, "file header at the end of the diff without any hunk")
  close()
  const last = sections.at(-1)
  if (last !== undefined && last.end === text.length && !text.endsWith("\n")) {
    return {
      ok: false,
      reason: "the diff's last line has no newline at its end; git apply rejects it as corrupt (append a newline)"
    }
  }
  return { ok: true, sections }
}
