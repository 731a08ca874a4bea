/*
 * Value-guided repair: an assertion that printed `expected: '-1.5 KB'` and `actual: '1.5 KB'` says the code lost a
 * "-". The part of the expected value that the actual one lacks points at the literal a fix most likely writes
 * back, whatever the repository.
 */

export interface ValueHints {
  /** Text the expected values have where the actual ones differ (what the fix should produce). */
  readonly missing: ReadonlyArray<string>
}

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

/** Hints from every failure block, without duplicates; empty parts (the actual value only has more) are dropped. */
export const valueHints = (detailsPerFailure: ReadonlyArray<string>): ValueHints => {
  const missing = new Set<string>()
  for (const details of detailsPerFailure) {
    for (const { expected, actual } of expectedActualPairs(details)) {
      const parts = differingParts(expected, actual)
      if (parts.missing !== "") missing.add(parts.missing)
    }
  }
  return { missing: [...missing] }
}

/** The content of a literal as written in code: quotes of a string literal removed, anything else as is. */
const literalContent = (text: string): string => {
  const match = /^(["'`])([\s\S]*)\1$/.exec(text)
  return match === null ? text : (match[2] ?? "")
}

/**
 * Whether changing a literal into `replacement` writes back exactly what the failures miss. (Emptying what they
 * show in excess is not a signal: a truncation's ellipsis is "in excess" whenever the cut is wrong.)
 */
export const matchesValueHints = (replacement: string, hints: ValueHints): boolean => {
  const written = literalContent(replacement)
  return written !== "" && hints.missing.includes(written)
}
