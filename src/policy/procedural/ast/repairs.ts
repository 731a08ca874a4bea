import { ts } from "ts-morph"
import { type EditSpan, type InsertionContext, insertAfter, replaceBody, replaceNode, toRepairCandidate } from "./edits.ts"
import {
  enclosingFunction,
  type FunctionNode,
  functionName,
  isFunctionNode,
  moduleLevelNames,
  parameterNames,
  symbolAt,
  topLevelLocals
} from "./functions.ts"
import { constantAlternatives, isBehaviouralLiteral, negationVariants, operatorAlternatives } from "./operators.ts"
import { isStubBody, siblingProposals } from "./siblingRepairs.ts"
import { detectIndentUnit, parseSource, scriptKindOf, usesSemicolons } from "./source.ts"
import type { RepairCandidate, RepairEdit, RepairHints, RepairKind, SourceText } from "./types.ts"

export interface RepairOptions extends RepairHints {
  /** At most this many candidates, best ranked first (default 500). */
  readonly limit?: number
}

/** Candidate edits near the hinted lines/functions (the whole file without hints), best first. */
export const listRepairCandidates = (file: SourceText, options: RepairOptions = {}): Array<RepairCandidate> =>
  listRepairEdits(file, options).map(toRepairCandidate)

const KIND_PRIORITY: Readonly<Record<RepairKind, number>> = {
  "restore-body": 0,
  "swap-operator": 1,
  "negate-condition": 1,
  "restore-return-value": 1,
  "change-constant": 2,
  "add-return": 2,
  "insert-sibling-statement": 3
}

/** Module-level code this many lines from a hint line is in focus too. */
const MODULE_WINDOW = 3

interface Focus {
  readonly functions: ReadonlySet<FunctionNode>
  readonly all: boolean
  readonly lines: ReadonlyArray<number>
  /** Functions named by a symbol hint: everything inside is at distance 0. */
  readonly named: ReadonlySet<FunctionNode>
}

/** Same as listRepairCandidates, as plain data (what the worker returns). */
export const listRepairEdits = (file: SourceText, options: RepairOptions = {}): Array<RepairEdit> => {
  if (scriptKindOf(file.path) === undefined) return []
  const sourceFile = parseSource(file.path, file.text)
  const functions: Array<FunctionNode> = []
  const collect = (node: ts.Node): void => {
    if (isFunctionNode(node)) functions.push(node)
    ts.forEachChild(node, collect)
  }
  collect(sourceFile)
  const focus = focusOf(sourceFile, functions, options)
  const insertion: InsertionContext = { text: file.text, sourceFile, indentUnit: detectIndentUnit(file.text) }
  const semicolon = usesSemicolons(sourceFile) ? ";" : ""
  const strings = stringLiterals(sourceFile)
  const moduleNames = moduleLevelNames(sourceFile)
  const found: Array<{ edit: RepairEdit; order: number }> = []
  const seen = new Set<string>()
  // Set while visiting a subtree: whether it lies in a focused function / a symbol-named one.
  let insideNamed = false
  const add = (kind: RepairKind, span: EditSpan, description: string): void => {
    const key = `${span.start}:${span.end}:${span.replacement}`
    if (seen.has(key) || span.original === span.replacement) return
    seen.add(key)
    const distance = focus.all || insideNamed ? 0 : lineDistance(focus, span.line)
    found.push({
      edit: { file: file.path, line: span.line, kind, description, distance, start: span.start, end: span.end, original: span.original, replacement: span.replacement },
      order: found.length
    })
  }

  const visit = (node: ts.Node, insideFocused: boolean, insideFunction: boolean): void => {
    if (isSkipped(node)) return
    const isFunction = isFunctionNode(node)
    const inside = insideFocused || (isFunction && focus.functions.has(node))
    const wasNamed = insideNamed
    insideNamed ||= isFunction && focus.named.has(node)
    if (focus.all || inside || (!insideFunction && !isFunction && nearHintLine(focus, sourceFile, node))) {
      nodeRepairs(node, { sourceFile, insertion, strings, preferredStrings: options.strings ?? [], add })
      if (isFunction) {
        functionRepairs(node, { insertion, semicolon, add })
        for (const p of siblingProposals(node, functions, insertion, moduleNames)) add("insert-sibling-statement", p.span, p.description)
      }
    }
    ts.forEachChild(node, (child) => visit(child, inside, insideFunction || isFunction))
    insideNamed = wasNamed
  }
  visit(sourceFile, false, false)
  return found
    .sort((a, b) =>
      a.edit.distance - b.edit.distance || KIND_PRIORITY[a.edit.kind] - KIND_PRIORITY[b.edit.kind] || a.order - b.order
    )
    .slice(0, options.limit ?? 500)
    .map((f) => f.edit)
}

const symbolMatches = (name: string | undefined, hint: string): boolean =>
  name !== undefined && (name === hint || name.endsWith(`.${hint}`) || hint.endsWith(`.${name}`))

const focusOf = (sourceFile: ts.SourceFile, functions: ReadonlyArray<FunctionNode>, hints: RepairHints): Focus => {
  const lines = [...(hints.lines ?? [])]
  const symbols = hints.symbols ?? []
  const named = new Set(functions.filter((fn) =>
    symbols.some((s) => symbolMatches(functionName(fn), s) || symbolMatches(symbolAt(fn), s))
  ))
  const containing = functions.filter((fn) => {
    const first = sourceFile.getLineAndCharacterOfPosition(fn.getStart(sourceFile)).line + 1
    const last = sourceFile.getLineAndCharacterOfPosition(fn.end).line + 1
    return lines.some((l) => l >= first && l <= last)
  })
  return { functions: new Set([...named, ...containing]), named, lines, all: lines.length === 0 && symbols.length === 0 }
}

const SKIPPED_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.EnumDeclaration
])
const isTypeNode = ts.isTypeNode
const isSkipped = (node: ts.Node): boolean => SKIPPED_KINDS.has(node.kind) || isTypeNode(node)

const nearHintLine = (focus: Focus, sourceFile: ts.SourceFile, node: ts.Node): boolean => {
  if (focus.lines.length === 0) return false
  const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1
  return focus.lines.some((l) => Math.abs(l - line) <= MODULE_WINDOW)
}

const lineDistance = (focus: Focus, line: number): number =>
  focus.lines.reduce((best, l) => Math.min(best, Math.abs(l - line)), Number.MAX_SAFE_INTEGER)

/** String literal values of the file with their lines (to refill an emptied string). */
const stringLiterals = (sourceFile: ts.SourceFile): Array<{ value: string; line: number }> => {
  const values: Array<{ value: string; line: number }> = []
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && isBehaviouralLiteral(node) && node.text !== "") {
      values.push({ value: node.text, line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return values
}

interface NodeRepairContext {
  readonly sourceFile: ts.SourceFile
  readonly insertion: InsertionContext
  readonly strings: ReadonlyArray<{ value: string; line: number }>
  readonly preferredStrings: ReadonlyArray<string>
  readonly add: (kind: RepairKind, span: EditSpan, description: string) => void
}

const conditionOf = (node: ts.Node): ts.Expression | undefined => {
  if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) return node.expression
  if (ts.isConditionalExpression(node)) return node.condition
  if (ts.isForStatement(node)) return node.condition
  return undefined
}

const nodeRepairs = (node: ts.Node, context: NodeRepairContext): void => {
  const { sourceFile, insertion, add } = context
  if (ts.isBinaryExpression(node)) {
    const operator = ts.tokenToString(node.operatorToken.kind)
    for (const alternative of operator === undefined ? [] : operatorAlternatives(operator)) {
      add("swap-operator", replaceNode(insertion, node.operatorToken, alternative),
        `change \`${operator}\` to \`${alternative}\` in ${symbolAt(node)}`)
    }
  }
  const condition = conditionOf(node)
  if (condition !== undefined) {
    for (const variant of negationVariants(condition, sourceFile)) {
      add("negate-condition", replaceNode(insertion, condition, variant), `negate \`${short(condition.getText(sourceFile))}\``)
    }
  }
  if (isBehaviouralLiteral(node)) {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1
    const byDistance = [...context.strings].sort((a, b) => Math.abs(a.line - line) - Math.abs(b.line - line)).map((s) => s.value)
    const nearby = [...new Set([...context.preferredStrings, ...byDistance])]
    for (const alternative of constantAlternatives(node, sourceFile, nearby)) {
      add("change-constant", replaceNode(insertion, node, alternative),
        `change ${short(node.getText(sourceFile))} to ${short(alternative)} in ${symbolAt(node)}`)
    }
  }
  if (ts.isReturnStatement(node) && node.expression === undefined) {
    const fn = enclosingFunction(node)
    if (fn === undefined || ts.isConstructorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return
    const semicolon = node.getText(sourceFile).endsWith(";") ? ";" : ""
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1
    for (const name of [...valueNames(fn, line), ...returnedElsewhere(fn, sourceFile)]) {
      add("restore-return-value", replaceNode(insertion, node, `return ${name}${semicolon}`), `return ${short(name)} in ${symbolAt(node)}`)
    }
  }
}

/** Names a function could plausibly return at `line`: locals declared before it (latest first), params, this. */
const valueNames = (fn: FunctionNode, line: number): Array<string> => {
  const locals = topLevelLocals(fn).filter((l) => l.line <= line).map((l) => l.name).reverse()
  const self = ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) ? ["this"] : []
  return [...new Set([...locals, ...parameterNames(fn), ...self])]
}

/** Values the function returns in its other return statements, plus the other boolean when one is a boolean. */
const returnedElsewhere = (fn: FunctionNode, sourceFile: ts.SourceFile): Array<string> => {
  const values: Array<string> = []
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node) && node !== fn) return
    if (ts.isReturnStatement(node) && node.expression !== undefined) values.push(node.expression.getText(sourceFile))
    ts.forEachChild(node, visit)
  }
  visit(fn)
  if (values.includes("true") || values.includes("false")) values.push("true", "false")
  return [...new Set(values)].filter((v) => !v.includes("\n"))
}

interface FunctionRepairContext {
  readonly insertion: InsertionContext
  readonly semicolon: string
  readonly add: (kind: RepairKind, span: EditSpan, description: string) => void
}

const functionRepairs = (fn: FunctionNode, context: FunctionRepairContext): void => {
  const { insertion, semicolon, add } = context
  const { sourceFile } = insertion
  if (ts.isConstructorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return
  const name = functionName(fn) ?? symbolAt(fn)
  const body = fn.body
  if (body === undefined) return
  if (!ts.isBlock(body)) {
    const text = body.getText(sourceFile)
    if (text !== "undefined" && text !== "undefined as never") return
    for (const param of parameterNames(fn)) {
      add("restore-body", replaceNode(insertion, body, param), `return the parameter ${param} from ${name}`)
    }
    return
  }
  if (isStubBody(body, sourceFile)) {
    for (const value of valueNames(fn, Number.MAX_SAFE_INTEGER)) {
      add("restore-body", replaceBody(insertion, body, [`return ${value}${semicolon}`]), `restore ${name} to return ${value}`)
    }
    return
  }
  const last = body.statements[body.statements.length - 1]
  if (last === undefined || ts.isReturnStatement(last) || ts.isThrowStatement(last)) return
  const endLine = sourceFile.getLineAndCharacterOfPosition(body.end).line + 1
  for (const value of valueNames(fn, endLine)) {
    const span = insertAfter(insertion, last, `return ${value}${semicolon}`)
    if (span !== undefined) add("add-return", span, `add \`return ${value}\` at the end of ${name}`)
  }
}

const short = (text: string): string => {
  const line = text.split("\n")[0] ?? ""
  return line.length > 50 ? `${line.slice(0, 47)}...` : line
}
