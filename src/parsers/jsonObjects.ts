/**
 * Finds the JSON objects a reporter printed into a noisy stream (console output and stderr around them).
 * Candidates are lines (after spaces/tabs) that are a lone '{' (pretty-printed report, mocha) or start with '{"'
 * (one-line report, jest/vitest); each candidate is cut at its matching '}' (strings and escapes respected) and
 * kept if it parses and `accept` says so. Objects are returned in order of appearance; text inside an accepted or
 * otherwise parsed object is not searched again.
 * The Python parsers carry the same scanner (`find_json_objects`).
 */

/** Index of the '}' closing the object that opens at `start`, or -1 if the text ends first. */
const objectEnd = (text: string, start: number): number => {
  let depth = 0
  let inString = false
  const special = /[{}"\\]/g
  special.lastIndex = start
  for (;;) {
    const match = special.exec(text)
    if (match === null) return -1
    const at = match.index
    const c = match[0]
    if (inString) {
      if (c === "\\") {
        special.lastIndex = at + 2
        continue
      }
      if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
    } else if (c === "{") {
      depth++
    } else if (c === "}") {
      depth--
      if (depth === 0) return at
    }
  }
}

const lineStartBraces = (text: string): Array<number> => {
  const starts: Array<number> = []
  let offset = 0
  for (const line of text.split("\n")) {
    const content = line.replace(/^[ \t]+/, "")
    if (content.startsWith('{"') || /^\{[ \t\r]*$/.test(content)) starts.push(offset + line.length - content.length)
    offset += line.length + 1
  }
  return starts
}

export const findJsonObjects = (text: string, accept: (value: unknown) => boolean): Array<unknown> => {
  const found: Array<unknown> = []
  let searchFrom = 0
  for (const start of lineStartBraces(text)) {
    if (start < searchFrom) continue
    const end = objectEnd(text, start)
    if (end < 0) continue
    let value: unknown
    try {
      value = JSON.parse(text.slice(start, end + 1))
    } catch {
      continue
    }
    searchFrom = end + 1
    if (accept(value)) found.push(value)
  }
  return found
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const arrayOrEmpty = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])
