/*
 * Value-guided repair: an assertion that printed `expected: '-1.5 KB'` and `actual: '1.5 KB'` says the code lost a
 * "-". The parts where expected and actual differ point at the literal a fix most likely writes back (or the one
 * it most likely removes), whatever the repository.
 */

export interface ValueHints {
  /** Text the expected values have where the actual ones differ (what the fix should produce). */
  readonly missing: ReadonlyArray<string>
  /** Text the actual values have instead (what the bug produced). */
  readonly extra: ReadonlyArray<string>
}

export const NO_VALUE_HINTS: ValueHints = { missing: [], extra: [] }

const FIELD = /^\s*(expected|actual):\s*(.*?)\s*,?\s*$/

/** A one-line YAML / util.inspect scalar: 'text' (with '' or \' escapes), "text", or a bare number/word. */
const scalar = (raw: string): string | undefined => {
  if (raw === "" || raw === "|-" || raw === "|" || raw === ">-" || raw.endsWith("{") || raw.endsWith("[")) return undefined
  const quoted = /^'(.*)'$/.exec(raw)
  if (quoted !== null) return (quoted[1] ?? "").replace(/''/g, "'").replace(/\\'/g, "'")
  if (raw.startsWith("\"")) {
    try {
      const value: unknown = JSON.parse(raw)
      return typeof value === "string" ? value : undefined
    } catch {
      return undefined
    }
  }
  return raw
}

/** Each expected/actual pair one failure block shows (the first of each, in any order). */
export const expectedActualPairs = (details: string): Array<{ expected: string; actual: string }> => {
  let expected: string | undefined
  let actual: string | undefined
  for (const line of details.split("\n")) {
    const match = FIELD.exec(line)
    if (match === null) continue
    const value = scalar(match[2] ?? "")
    if (value === undefined) continue
    if (match[1] === "expected") expected ??= value
    else actual ??= value
  }
  return expected !== undefined && actual !== undefined && expected !== actual ? [{ expected, actual }] : []
}

const isNumber = (text: string) => /^-?\d+(\.\d+)?$/.test(text)

/** The differing middles of two values once their common prefix and suffix are cut; numbers differ as a whole. */
export const differingParts = (expected: string, actual: string): { missing: string; extra: string } => {
  if (isNumber(expected) && isNumber(actual)) return { missing: expected, extra: actual }
  let prefix = 0
  while (prefix < expected.length && prefix < actual.length && expected[prefix] === actual[prefix]) prefix++
  let suffix = 0
  while (
    suffix < expected.length - prefix && suffix < actual.length - prefix &&
    expected[expected.length - 1 - suffix] === actual[actual.length - 1 - suffix]
  ) suffix++
  return { missing: expected.slice(prefix, expected.length - suffix), extra: actual.slice(prefix, actual.length - suffix) }
}

/** Hints from every failure block, without duplicates; empty parts (pure insertions/deletions) are dropped. */
export const valueHints = (detailsPerFailure: ReadonlyArray<string>): ValueHints => {
  const missing = new Set<string>()
  const extra = new Set<string>()
  for (const details of detailsPerFailure) {
    for (const { expected, actual } of expectedActualPairs(details)) {
      const parts = differingParts(expected, actual)
      if (parts.missing !== "") missing.add(parts.missing)
      if (parts.extra !== "") extra.add(parts.extra)
    }
  }
  return { missing: [...missing], extra: [...extra] }
}

/** The content of a literal as written in code: quotes of a string literal removed, anything else as is. */
const literalContent = (text: string): string => {
  const match = /^(["'`])([\s\S]*)\1$/.exec(text)
  return match === null ? text : (match[2] ?? "")
}

/**
 * Whether changing literal `original` into `replacement` writes back what the failures miss, or empties a literal
 * that is exactly what they show in excess.
 */
export const matchesValueHints = (original: string, replacement: string, hints: ValueHints): boolean => {
  const written = literalContent(replacement)
  const removed = literalContent(original)
  return (written !== "" && hints.missing.includes(written)) || (written === "" && removed !== "" && hints.extra.includes(removed))
}
