/**
 * Makes fast-xml-parser (TypeScript twin) and expat via xml.etree (Python twin) accept exactly the same JUnit
 * documents: both sanitise the same way, and the TypeScript side refuses what expat would refuse.
 */

const INVALID_XML_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g
const CHARACTER_REFERENCE = /&#(?:([0-9]+)|x([0-9a-fA-F]+));/g
const UNKNOWN_AMPERSAND = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/g

const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)

/** Characters XML forbids become U+FFFD, unknown entities are escaped: both twins then read the same text. */
export const sanitizeXml = (xml: string): string =>
  xml
    .replace(INVALID_XML_CHARS, "\ufffd")
    .replace(CHARACTER_REFERENCE, (reference, decimal: string | undefined, hex: string | undefined) => {
      const digits = decimal ?? hex!
      const code = digits.length > 8 ? -1 : Number.parseInt(digits, decimal !== undefined ? 10 : 16)
      return isXmlChar(code) ? reference : "\ufffd"
    })
    .replace(UNKNOWN_AMPERSAND, "&amp;")

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?`
const ATTRIBUTE = String.raw`(${NAME})[ \t\r\n]*=[ \t\r\n]*(?:"([^"<]*)"|'([^'<]*)')`
const STRICT_START_TAG = new RegExp(String.raw`<(${NAME})((?:[ \t\r\n]+${ATTRIBUTE})*)[ \t\r\n]*(\/?)>`, "y")
const STRICT_END_TAG = new RegExp(String.raw`<\/${NAME}[ \t\r\n]*>`, "y")

const prefixOf = (name: string): string | null => (name.includes(":") ? name.slice(0, name.indexOf(":")) : null)

/** Declares the tag's `xmlns:p` prefixes on top of `inScope`; null when a prefix is unbound or misdeclared. */
const scopeOfStartTag = (name: string, attributes: string, inScope: ReadonlySet<string>): ReadonlySet<string> | null => {
  const pairs = [...attributes.matchAll(new RegExp(ATTRIBUTE, "g"))].map((m) => ({ name: m[1]!, value: m[2] ?? m[3] ?? "" }))
  const scope = new Set(inScope)
  for (const pair of pairs) {
    if (prefixOf(pair.name) !== "xmlns") continue
    const declared = pair.name.slice("xmlns:".length)
    if (pair.value.length === 0 || declared === "xmlns") return null
    scope.add(declared)
  }
  const used = [name, ...pairs.map((pair) => pair.name).filter((n) => n !== "xmlns" && prefixOf(n) !== "xmlns")]
  return used.every((n) => prefixOf(n) === null || (prefixOf(n) !== "xmlns" && scope.has(prefixOf(n)!))) ? scope : null
}

/**
 * Markup rules that fast-xml-parser's validator lets through but expat (the Python twin's parser) enforces:
 * "]]>" in text, "<" in attribute values, "--" in comments, stray "<!"/"<?xml", junk inside tags, unbound
 * namespace prefixes. Tag and attribute names are limited to ASCII in both twins. Only corrupted documents differ.
 */
export const breaksStrictXml = (xml: string): boolean => {
  const scopes: Array<ReadonlySet<string>> = [new Set(["xml"])]
  let at = 0
  for (;;) {
    const next = xml.indexOf("<", at)
    if (xml.slice(at, next < 0 ? xml.length : next).includes("]]>")) return true
    if (next < 0) return false
    const closer = (marker: string, end: string): number => {
      const found = xml.indexOf(end, next + marker.length)
      return found < 0 ? -1 : found + end.length
    }
    if (xml.startsWith("<![CDATA[", next)) {
      at = closer("<![CDATA[", "]]>")
    } else if (xml.startsWith("<!--", next)) {
      at = closer("<!--", "-->")
      if (at >= 0 && xml.slice(next + 4, at - 3).includes("--")) return true
    } else if (xml.startsWith("<?", next)) {
      at = closer("<?", "?>")
      if (/^<\?xml(?:[ \t\r\n?]|$)/i.test(xml.slice(next, next + 6))) return true
    } else if (xml.startsWith("<!", next)) {
      return true
    } else if (xml.startsWith("</", next)) {
      STRICT_END_TAG.lastIndex = next
      at = STRICT_END_TAG.test(xml) ? STRICT_END_TAG.lastIndex : -1
      if (scopes.length > 1) scopes.pop()
    } else {
      STRICT_START_TAG.lastIndex = next
      const tag = STRICT_START_TAG.exec(xml)
      if (tag === null) return true
      const scope = scopeOfStartTag(tag[1]!, tag[2]!, scopes[scopes.length - 1]!)
      if (scope === null) return true
      if (tag[tag.length - 1] !== "/") scopes.push(scope)
      at = STRICT_START_TAG.lastIndex
    }
    if (at < 0) return true
  }
}
