import { XMLParser, XMLValidator } from "fast-xml-parser"
import type { ParsedStatus, TestReport } from "../domain/testReport.ts"
import { type Observation, reportWithSuffixedDuplicates, trimAscii } from "./shared.ts"
import { breaksStrictXml, sanitizeXml } from "./strictXml.ts"

/**
 * JUnit XML parser (python/junit_xml.py is its twin; that one uses xml.etree).
 *
 * Documents are cut out of the noisy stream: from a `<testsuites>` or `<testsuite>` start tag to its matching end
 * tag. A document that never closes (truncated run) is searched again from inside, so its completed inner
 * `<testsuite>` elements still count; a malformed one is skipped the same way. See strictXml.ts for how both twins
 * come to accept exactly the same documents.
 *
 * Id = enclosing `<testsuite>` names, the testcase's classname, its name, joined with " > ". The classname is left
 * out when empty, equal to the name or to the innermost suite name, or node:test's placeholder "test".
 * Status: `<failure>`/`<error>` → failed; `<skipped>` → absent; none → passed; node:test todo tests
 * (`<skipped type="todo">`) → passed, or absent when they also failed. Repeated ids get " #2", " #3"….
 */

const SUITE_TAG = /<(\/?)(testsuites|testsuite)(?=[ \t\r\n/>])(?:[^>"']|"[^"]*"|'[^']*')*>/g
const NODE_TEST_PLACEHOLDER_CLASSNAME = "test"

const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g
const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }

/** What an XML parser makes of an attribute value: whitespace normalised, references decoded. */
const attributeText = (raw: string): string =>
  raw
    .replace(/\r\n|[\t\n\r]/g, " ")
    .replace(REFERENCE, (_, named: string | undefined, decimal: string | undefined, hex: string | undefined) => {
      if (named !== undefined) return NAMED_ENTITIES[named]!
      return String.fromCodePoint(decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16))
    })

/**
 * Offers each complete suite document of the stream, in order, to `read`. When `read` rejects one (malformed) or
 * it never closes (truncated), the search resumes just after its start tag, so inner suites still count.
 */
const forEachSuiteDocument = (text: string, read: (xml: string) => boolean): void => {
  const tags = [...text.matchAll(SUITE_TAG)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    closing: m[1] === "/",
    selfClosing: m[0].endsWith("/>"),
    name: m[2]!
  }))
  let i = 0
  while (i < tags.length) {
    const open = tags[i]!
    let closeAt = -1
    if (!open.closing && open.selfClosing) closeAt = i
    else if (!open.closing) {
      let depth = 0
      for (let j = i; j < tags.length && closeAt < 0; j++) {
        const tag = tags[j]!
        if (tag.name !== open.name || tag.selfClosing) continue
        depth += tag.closing ? -1 : 1
        if (depth === 0) closeAt = j
      }
    }
    i = closeAt >= 0 && read(text.slice(open.start, tags[closeAt]!.end)) ? closeAt + 1 : i + 1
  }
}

type XmlNode = Record<string, unknown>

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  processEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false
})

const tagOf = (node: XmlNode): string | undefined => Object.keys(node).find((key) => key !== ":@" && key !== "#text")

/** Element name without its namespace prefix (xml.etree reports `{uri}name`; the twins compare local names). */
const kindOf = (node: XmlNode): string | undefined => tagOf(node)?.replace(/^[^:]*:/, "")

const childrenOf = (node: XmlNode): Array<XmlNode> => {
  const tag = tagOf(node)
  const children = tag === undefined ? undefined : node[tag]
  return Array.isArray(children) ? (children as Array<XmlNode>) : []
}

const attribute = (node: XmlNode, name: string): string => {
  const attributes = node[":@"] as Record<string, unknown> | undefined
  const raw = attributes?.[`@_${name}`]
  return typeof raw === "string" ? trimAscii(attributeText(raw).replace(/[\t\n\r]/g, " ")) : ""
}

const caseStatus = (testcase: XmlNode): ParsedStatus | null => {
  const children = childrenOf(testcase)
  const failed = children.some((child) => kindOf(child) === "failure" || kindOf(child) === "error")
  const skipped = children.filter((child) => kindOf(child) === "skipped")
  if (skipped.some((child) => attribute(child, "type") === "todo")) return failed ? null : "passed"
  if (failed) return "failed"
  return skipped.length > 0 ? null : "passed"
}

const caseBase = (testcase: XmlNode, suites: ReadonlyArray<string>): string => {
  const name = attribute(testcase, "name")
  const classname = attribute(testcase, "classname")
  const keepClassname =
    classname.length > 0 &&
    classname !== name &&
    classname !== suites[suites.length - 1] &&
    classname !== NODE_TEST_PLACEHOLDER_CLASSNAME
  return [...suites, ...(keepClassname ? [classname] : []), name].join(" > ")
}

const observeChildren = (element: XmlNode, suites: ReadonlyArray<string>, observations: Array<Observation>): void => {
  for (const child of childrenOf(element)) {
    const tag = kindOf(child)
    if (tag === "testcase") observations.push({ base: caseBase(child, suites), status: caseStatus(child) })
    else if (tag === "testsuites") observeChildren(child, suites, observations)
    else if (tag === "testsuite") observeSuite(child, suites, observations)
  }
}

const observeSuite = (suite: XmlNode, outer: ReadonlyArray<string>, observations: Array<Observation>): void => {
  const name = attribute(suite, "name")
  observeChildren(suite, name.length > 0 ? [...outer, name] : outer, observations)
}

const observeDocument = (xml: string): Array<Observation> | null => {
  const clean = sanitizeXml(xml)
  if (XMLValidator.validate(clean) !== true || breaksStrictXml(clean)) return null
  let nodes: Array<XmlNode>
  try {
    nodes = parser.parse(clean) as Array<XmlNode>
  } catch {
    return null
  }
  const root = nodes.find((node) => tagOf(node) !== undefined)
  if (root === undefined) return null
  const observations: Array<Observation> = []
  if (kindOf(root) === "testsuite") observeSuite(root, [], observations)
  else observeChildren(root, [], observations)
  return observations
}

export const parseJunitXml = (output: string): TestReport => {
  const observations: Array<Observation> = []
  forEachSuiteDocument(output, (xml) => {
    const found = observeDocument(xml)
    if (found !== null) observations.push(...found)
    return found !== null
  })
  return reportWithSuffixedDuplicates(observations)
}
