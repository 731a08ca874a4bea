import { ts } from "ts-morph"
import { deletionRange, lineOf, parseSource, scriptKindOf, splice, syntaxErrors } from "./source.ts"
import { type Assertion, findAssertions, findPlans, findTests, type TestNode } from "./testTree.ts"
import type { FailingTest, RemovedPiece, SourceText, WeakenOptions, WeakenResult } from "./types.ts"

/*
 * The Injector's test weakening. "weaken" removes the failing assertions of each failing test and keeps the test
 * (GAME.md: a deleted test is missing, not passing); "delete" removes the whole test call. Plans
 * (t.plan(n), expect.assertions(n)) are adjusted so the weakened test can still pass.
 */

/** Default failure messages by assertion style and method (what a runner prints when no message is given). */
const TAPE_DEFAULTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(equal|equals|isEqual|strictEqual|strictEquals|is)$/, "should be strictly equal"],
  [/^(notEqual|notEquals|isNotEqual|doesNotEqual|isInequal|notStrictEqual|notStrictEquals|isNot|not)$/, "should not be strictly equal"],
  [/^(looseEqual|looseEquals)$/, "should be loosely equal"],
  [/^(notLooseEqual|notLooseEquals)$/, "should not be loosely equal"],
  [/^(deepEqual|deepEquals|isEquivalent|same)$/, "should be deeply equivalent"],
  [/^(notDeepEqual|notDeepEquals|notEquivalent|notDeeply|notSame|isNotDeepEqual|isNotDeeply|isNotEquivalent|isInequivalent)$/, "should not be deeply equivalent"],
  [/^deepLooseEqual$/, "should be loosely deeply equivalent"],
  [/^(ok|true|assert)$/, "should be truthy"],
  [/^(notOk|false|notok)$/, "should be falsy"],
  [/^throws$/, "should throw"],
  [/^doesNotThrow$/, "should not throw"],
  [/^(match)$/, "did not match the regular expression"],
  [/^(fail)$/, "(unnamed assert)"]
]

const NODE_ASSERT_DEFAULTS: ReadonlyArray<readonly [RegExp, ReadonlyArray<string>]> = [
  [/^(ok|assert|strict)$/, ["The expression evaluated to a falsy value"]],
  [/^strictEqual$/, ["Expected values to be strictly equal"]],
  [/^equal$/, [" == ", "Expected values to be strictly equal", "to equal"]],
  [/^notEqual$/, [" != ", "to be strictly unequal", "to not equal"]],
  [/^notStrictEqual$/, ["to be strictly unequal"]],
  [/^deepStrictEqual$/, ["Expected values to be strictly deep-equal"]],
  [/^deepEqual$/, ["Expected values to be loosely deep-equal", "Expected values to be strictly deep-equal", "to deeply equal"]],
  [/^notDeepStrictEqual$/, ["not to be strictly deep-equal"]],
  [/^notDeepEqual$/, ["not to be loosely deep-equal", "not to be strictly deep-equal"]],
  [/^throws$/, ["Missing expected exception"]],
  [/^rejects$/, ["Missing expected rejection"]],
  [/^doesNotThrow$/, ["Got unwanted exception"]],
  [/^doesNotReject$/, ["Got unwanted rejection"]],
  [/^match$/, ["did not match the regular expression"]],
  [/^doesNotMatch$/, ["expected to not match the regular expression"]],
  [/^fail$/, ["Failed"]]
]

const EXPECT_PHRASES: Readonly<Record<string, ReadonlyArray<string>>> = {
  toBe: ["to be", "Object.is equality"],
  toEqual: ["to deeply equal", "deep equality", "to equal"],
  toStrictEqual: ["to strictly equal"],
  equal: ["to equal"],
  eql: ["to deeply equal"],
  toThrow: ["to throw"],
  toThrowError: ["to throw"]
}

const camelWords = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase()

const defaultPhrases = (assertion: Assertion): ReadonlyArray<string> => {
  const { style, method } = assertion
  if (style === "tape") {
    const phrases = TAPE_DEFAULTS.filter(([pattern]) => pattern.test(method)).map(([, phrase]) => phrase)
    return [...phrases, ...NODE_ASSERT_DEFAULTS.filter(([p]) => p.test(method)).flatMap(([, m]) => m)]
  }
  if (style === "assert") {
    const node = NODE_ASSERT_DEFAULTS.filter(([pattern]) => pattern.test(method)).flatMap(([, phrases]) => phrases)
    return node.length > 0 ? node : [camelWords(method), `.${method}(`]
  }
  return [...(EXPECT_PHRASES[method] ?? []), camelWords(method), `.${method}(`]
}

const normalise = (text: string): string => text.replace(/\s+/g, " ").trim().toLowerCase()

/** How well `message` identifies the assertion: the length of the phrase both share, 0 when none. */
const messageScore = (assertion: Assertion, message: string): number => {
  const target = normalise(message)
  if (target === "") return 0
  const phrases = assertion.explicitMessage !== undefined ? [assertion.explicitMessage] : defaultPhrases(assertion)
  let best = 0
  for (const phrase of phrases.map(normalise)) {
    if (phrase === "") continue
    if (target.includes(phrase)) best = Math.max(best, phrase.length + (assertion.explicitMessage !== undefined ? 1000 : 0))
    else if (phrase.includes(target)) best = Math.max(best, target.length + (assertion.explicitMessage !== undefined ? 1000 : 0))
  }
  return best
}

const samePath = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((x, i) => normalise(x) === normalise(b[i] ?? ""))

const endsWithPath = (longer: ReadonlyArray<string>, suffix: ReadonlyArray<string>): boolean =>
  suffix.length > 0 && suffix.length <= longer.length && samePath(longer.slice(longer.length - suffix.length), suffix)

/** Tests named by `namePath`: exact path, then either path a suffix of the other, then a joined name, then a unique last name. */
export const matchTests = (tests: ReadonlyArray<TestNode>, namePath: ReadonlyArray<string>): Array<TestNode> => {
  const exact = tests.filter((t) => samePath(t.path, namePath))
  if (exact.length > 0) return exact
  const suffix = tests.filter((t) => endsWithPath(namePath, t.path) || endsWithPath(t.path, namePath))
  if (suffix.length > 0) {
    const longest = Math.max(...suffix.map((t) => Math.min(t.path.length, namePath.length)))
    return suffix.filter((t) => Math.min(t.path.length, namePath.length) === longest)
  }
  const joined = normalise(namePath.join(" "))
  const byJoin = tests.filter((t) => [" ", " > ", " › ", " / ", " :: "].some((sep) => normalise(t.path.join(sep)) === joined))
  if (byJoin.length > 0) return byJoin
  const last = namePath[namePath.length - 1]
  const byLast = last === undefined ? [] : tests.filter((t) => normalise(t.name) === normalise(last))
  return byLast.length === 1 ? byLast : []
}

interface Edit { readonly start: number; readonly end: number; readonly replacement: string; readonly piece: RemovedPiece }

export const weakenTests = (file: SourceText, failing: ReadonlyArray<FailingTest>, options: WeakenOptions): WeakenResult => {
  if (scriptKindOf(file.path) === undefined) return { ok: false, reason: `not a JS/TS file: ${file.path}` }
  if (failing.length === 0) return { ok: false, reason: "no failing tests given" }
  const sourceFile = parseSource(file.path, file.text)
  const tests = findTests(sourceFile)
  const edits: Array<Edit> = []
  const unmatched: Array<{ namePath: ReadonlyArray<string>; reason: string }> = []
  // One test may fail several times (tape reports every failed assertion): gather its hints first.
  const hintsByTest = new Map<TestNode, Array<FailingTest>>()
  for (const failure of failing) {
    const matched = matchTests(tests, failure.namePath)
    if (matched.length === 0) unmatched.push({ namePath: failure.namePath, reason: "no test with this name in the file" })
    for (const test of matched) hintsByTest.set(test, [...(hintsByTest.get(test) ?? []), failure])
  }
  const deletedUnder = new Map<TestNode, number>()
  for (const [test, hints] of hintsByTest) {
    const produced = options.mode === "delete"
      ? deleteTest(file.text, sourceFile, test)
      : weakenTest(file.text, sourceFile, tests, test, hints, options.extent ?? "auto")
    if (typeof produced === "string") {
      unmatched.push({ namePath: test.path, reason: produced })
      continue
    }
    edits.push(...produced)
    const parent = test.parent
    if (options.mode === "delete" && parent !== undefined && isSubtestOf(sourceFile, test, parent)) {
      deletedUnder.set(parent, (deletedUnder.get(parent) ?? 0) + 1)
    }
  }
  // tape counts each t.test child in its parent's plan
  for (const [parent, count] of deletedUnder) {
    const remaining = findAssertions(sourceFile, parent, tests).length + tests.filter((t) => t.parent === parent).length - count
    edits.push(...planEdits(file.text, sourceFile, parent, count, remaining))
  }
  const applied = withoutOverlaps(edits)
  if (applied.length === 0) {
    return { ok: false, reason: unmatched.map((u) => `${u.namePath.join(" > ")}: ${u.reason}`).join("; ") || "nothing to remove" }
  }
  let text = file.text
  for (const edit of [...applied].sort((a, b) => b.start - a.start)) text = splice(text, edit.start, edit.end, edit.replacement)
  const errors = syntaxErrors(file.path, text)
  if (errors.length > 0) return { ok: false, reason: `the weakened file does not parse: ${errors.slice(0, 3).join("; ")}` }
  return { ok: true, text, removed: applied.map((e) => e.piece), unmatched }
}

/** Keeps the earliest-starting, widest edit of overlapping ones (a deleted test swallows edits inside it). */
const withoutOverlaps = (edits: ReadonlyArray<Edit>): Array<Edit> => {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Array<Edit> = []
  for (const edit of sorted) {
    const previous = kept[kept.length - 1]
    if (previous !== undefined && edit.start < previous.end) continue
    kept.push(edit)
  }
  return kept
}

const removalOf = (text: string, sourceFile: ts.SourceFile, assertion: Assertion): { start: number; end: number; replacement: string } => {
  const holder = assertion.holder
  if (ts.isArrowFunction(holder)) {
    const body = holder.body
    return { start: body.getStart(sourceFile), end: body.end, replacement: "undefined" }
  }
  const start = holder.getStart(sourceFile)
  const parent = holder.parent
  if (parent !== undefined && (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent))) {
    return { ...deletionRange(text, start, holder.end), replacement: "" }
  }
  return { start, end: holder.end, replacement: "{}" }
}

type Extent = NonNullable<WeakenOptions["extent"]>

const assertionsNamedBy = (sourceFile: ts.SourceFile, assertions: ReadonlyArray<Assertion>, hint: FailingTest) => {
  const line = hint.line
  if (line !== undefined) {
    const onLine = assertions.filter((a) =>
      lineOf(sourceFile, a.holder.getStart(sourceFile)) <= line && lineOf(sourceFile, a.holder.end) >= line
    )
    if (onLine.length > 0) return onLine.map((assertion) => ({ assertion, matchedBy: "line" as const }))
  }
  if (hint.assertionMessage === undefined) return []
  const scores = assertions.map((a) => messageScore(a, hint.assertionMessage ?? ""))
  const best = Math.max(0, ...scores)
  return best === 0 ? [] : assertions.filter((_, i) => scores[i] === best).map((assertion) => ({ assertion, matchedBy: "message" as const }))
}

const insideCallback = (sourceFile: ts.SourceFile, test: TestNode, line: number): boolean => {
  const body = test.callback?.body
  return body !== undefined && lineOf(sourceFile, body.getStart(sourceFile)) <= line && lineOf(sourceFile, body.end) >= line
}

const weakenTest = (
  text: string,
  sourceFile: ts.SourceFile,
  tests: ReadonlyArray<TestNode>,
  test: TestNode,
  hints: ReadonlyArray<FailingTest>,
  extent: Extent
): Array<Edit> | string => {
  const assertions = findAssertions(sourceFile, test, tests)
  if (assertions.length === 0) return "the test has no assertion statements to remove"
  let chosen: Array<{ assertion: Assertion; matchedBy: RemovedPiece["matchedBy"] }> = []
  if (extent !== "all") {
    for (const hint of hints) {
      for (const pick of assertionsNamedBy(sourceFile, assertions, hint)) {
        if (!chosen.some((c) => c.assertion === pick.assertion)) chosen.push(pick)
      }
    }
    // A throwing assertion hides every later one: they never ran, so they may fail too.
    const throwing = chosen.some((c) => c.assertion.style !== "tape")
    if (chosen.length > 0 && (extent === "matching-and-later" || (extent === "auto" && throwing))) {
      const firstStart = Math.min(...chosen.map((c) => c.assertion.holder.pos))
      const later = assertions.filter((a) => a.holder.pos > firstStart && !chosen.some((c) => c.assertion === a))
      chosen.push(...later.map((assertion) => ({ assertion, matchedBy: "later-assertion" as const })))
    }
  }
  if (chosen.length === 0 && extent !== "all") {
    const throwingLine = hints.map((h) => h.line).find((line) => line !== undefined && insideCallback(sourceFile, test, line))
    if (throwingLine !== undefined) {
      return `the failure at line ${throwingLine} is not an assertion (the code under test throws there): delete the test instead`
    }
  }
  if (chosen.length === 0) chosen = assertions.map((assertion) => ({ assertion, matchedBy: "all-assertions" as const }))
  chosen.sort((a, b) => a.assertion.holder.pos - b.assertion.holder.pos)
  const edits: Array<Edit> = chosen.map(({ assertion, matchedBy }) => ({
    ...removalOf(text, sourceFile, assertion),
    piece: {
      namePath: test.path,
      kind: "assertion",
      line: lineOf(sourceFile, assertion.holder.getStart(sourceFile)),
      text: assertion.holder.getText(sourceFile),
      matchedBy
    }
  }))
  edits.push(...planEdits(text, sourceFile, test, chosen.length, assertions.length - chosen.length))
  return edits
}

/** Lower t.plan(n) / expect.assertions(n) by the removed count; drop hasAssertions when none is left. */
const planEdits = (text: string, sourceFile: ts.SourceFile, test: TestNode, removed: number, remaining: number): Array<Edit> => {
  const edits: Array<Edit> = []
  for (const plan of findPlans(sourceFile, test)) {
    const member = ts.isPropertyAccessExpression(plan.call.expression) ? plan.call.expression.name.text : ""
    const line = lineOf(sourceFile, plan.statement.getStart(sourceFile))
    const piece = (replacementText: string): RemovedPiece => ({
      namePath: test.path, kind: "plan", line, text: `${plan.statement.getText(sourceFile)} → ${replacementText || "(removed)"}`, matchedBy: "plan-adjusted"
    })
    if (member === "hasAssertions") {
      if (remaining > 0) continue
      edits.push({ ...deletionRange(text, plan.statement.getStart(sourceFile), plan.statement.end), replacement: "", piece: piece("") })
      continue
    }
    const arg = plan.call.arguments[0]
    if (plan.count === undefined || arg === undefined) continue
    const next = plan.count - removed
    if (next > 0) {
      edits.push({ start: arg.getStart(sourceFile), end: arg.end, replacement: String(next), piece: piece(String(next)) })
    } else if (member === "plan" && isTapeLike(sourceFile, test)) {
      // tape ends a planned test when the count is reached; with nothing left to count it must end explicitly.
      const replacement = `${test.testParameter}.end()${plan.statement.getText(sourceFile).endsWith(";") ? ";" : ""}`
      edits.push({ start: plan.statement.getStart(sourceFile), end: plan.statement.end, replacement, piece: piece(replacement) })
    } else {
      edits.push({ ...deletionRange(text, plan.statement.getStart(sourceFile), plan.statement.end), replacement: "", piece: piece("") })
    }
  }
  return edits
}

/** tape/tap tests end with t.end() or a plan; node:test ends a test when its callback settles. */
const isTapeLike = (sourceFile: ts.SourceFile, test: TestNode): boolean =>
  test.testParameter !== undefined && !/['"]node:test['"]/.test(sourceFile.text)

const isSubtestOf = (sourceFile: ts.SourceFile, test: TestNode, parent: TestNode): boolean =>
  parent.testParameter !== undefined && test.call.expression.getText(sourceFile).startsWith(`${parent.testParameter}.`)

const deleteTest = (text: string, sourceFile: ts.SourceFile, test: TestNode): Array<Edit> | string => {
  let node: ts.Node = test.call
  while (node.parent !== undefined && (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent))) node = node.parent
  const statement = node.parent
  if (statement === undefined || !ts.isExpressionStatement(statement)) return "the test call is not a statement of its own"
  const start = statement.getStart(sourceFile)
  const piece: RemovedPiece = { namePath: test.path, kind: "test", line: lineOf(sourceFile, start), text: statement.getText(sourceFile), matchedBy: "test" }
  return [{ ...deletionRange(text, start, statement.end), replacement: "", piece }]
}
