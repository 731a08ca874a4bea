import { ts } from "ts-morph"
import { type EditSpan, type InsertionContext, insertAfter, insertBefore, reindent, replaceBody } from "./edits.ts"
import { type FunctionNode, functionName, parameterNames, referencedIdentifiers, topLevelLocals } from "./functions.ts"
import { indentationAt } from "./source.ts"

/*
 * "Seen in sibling code" repairs: a guard (`if (…) return/throw …`) or a final `return …` that another function
 * of the same file has and the suspicious function lacks. Identifiers are renamed positionally when the sibling
 * names its parameters differently, and a statement is only proposed when every identifier it reads resolves in
 * the target function (its parameters, its locals declared before the insertion point, module names, globals).
 */

export interface SiblingProposal {
  readonly span: EditSpan
  readonly description: string
  /** 0 for siblings in the same class/object/module block, 1 otherwise. */
  readonly remoteness: number
}

const GLOBAL_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(globalThis),
  "undefined", "NaN", "Infinity", "arguments", "require", "module", "exports", "process", "Buffer", "console"
])

const normalise = (text: string): string => text.replace(/\s+/g, "").replace(/;$/, "")

const exits = (statement: ts.Statement): boolean => {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1]
    return last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last))
  }
  return false
}

export const isGuard = (statement: ts.Statement): boolean =>
  ts.isIfStatement(statement) && statement.elseStatement === undefined && exits(statement.thenStatement)

/** An emptied body as remove-function-body leaves it: `{}`, `{ return; }`, `{ return undefined as never; }`. */
export const isStubBody = (body: ts.Block, sourceFile: ts.SourceFile): boolean => {
  if (body.statements.length === 0) return true
  const only = body.statements[0]
  if (body.statements.length !== 1 || only === undefined || !ts.isReturnStatement(only)) return false
  const value = only.expression?.getText(sourceFile)
  return value === undefined || value === "undefined" || value === "undefined as never" || value === "void 0"
}

/** The statement text with the sibling's parameters renamed to the target's (same position). */
const renamedStatement = (
  statement: ts.Statement,
  sourceFile: ts.SourceFile,
  renames: ReadonlyMap<string, string>
): string => {
  const start = statement.getStart(sourceFile)
  const replacements: Array<{ start: number; end: number; text: string }> = []
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent
      const isName = parent !== undefined && ((ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node))
      const target = renames.get(node.text)
      if (!isName && target !== undefined) replacements.push({ start: node.getStart(sourceFile), end: node.end, text: target })
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(statement)
  let text = statement.getText(sourceFile)
  for (const r of replacements.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, r.start - start) + r.text + text.slice(r.end - start)
  }
  return text
}

const containerOf = (fn: FunctionNode): ts.Node | undefined => {
  let current = fn.parent
  while (current !== undefined && !ts.isClassLike(current) && !ts.isObjectLiteralExpression(current) &&
    !ts.isSourceFile(current) && !ts.isBlock(current)) current = current.parent
  return current
}

interface Proposal { readonly text: string; readonly sibling: string; readonly guard: boolean; readonly statement: ts.Statement }

/** Guards and final returns of `sibling`, renamed for `target`, that `target` does not already contain. */
const proposalsFrom = (sibling: FunctionNode, target: FunctionNode, sourceFile: ts.SourceFile, existing: ReadonlySet<string>) => {
  const body = sibling.body
  if (body === undefined || !ts.isBlock(body)) return []
  const siblingParams = parameterNames(sibling)
  const targetParams = parameterNames(target)
  const renames = new Map<string, string>()
  if (siblingParams.length === targetParams.length) {
    siblingParams.forEach((name, i) => {
      const to = targetParams[i]
      if (to !== undefined && to !== name) renames.set(name, to)
    })
  }
  const proposals: Array<Proposal> = []
  const last = body.statements[body.statements.length - 1]
  for (const statement of body.statements) {
    const guard = isGuard(statement)
    const finalReturn = statement === last && ts.isReturnStatement(statement) && statement.expression !== undefined
    if (!guard && !finalReturn) continue
    const text = renamedStatement(statement, sourceFile, renames)
    if (existing.has(normalise(text))) continue
    proposals.push({ text, sibling: functionName(sibling) ?? "<anonymous>", guard, statement })
  }
  return proposals
}

/** Proposals of sibling statements for `target`. */
export const siblingProposals = (
  target: FunctionNode,
  functions: ReadonlyArray<FunctionNode>,
  context: InsertionContext,
  moduleNames: ReadonlySet<string>
): Array<SiblingProposal> => {
  const { sourceFile, text } = context
  const body = target.body
  if (body === undefined || !ts.isBlock(body)) return []
  const stub = isStubBody(body, sourceFile)
  const existing = new Set(body.statements.map((s) => normalise(s.getText(sourceFile))))
  const last = body.statements[body.statements.length - 1]
  const endsWithExit = !stub && last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last))
  const params = new Set(parameterNames(target))
  const locals = topLevelLocals(target)
  const targetContainer = containerOf(target)
  const results: Array<SiblingProposal> = []
  const seen = new Set<string>()
  for (const sibling of functions) {
    if (sibling === target || sibling.body === undefined) continue
    if (sibling.pos <= target.pos && sibling.end >= target.end) continue
    if (target.pos <= sibling.pos && target.end >= sibling.end) continue
    const remoteness = containerOf(sibling) === targetContainer ? 0 : 1
    for (const proposal of proposalsFrom(sibling, target, sourceFile, existing)) {
      if (!proposal.guard && endsWithExit) continue
      const key = `${proposal.guard}:${normalise(proposal.text)}`
      if (seen.has(key)) continue
      const reads = [...referencedIdentifiers(proposal.statement)].map((n) => renamedName(n, sibling, target))
      const needed = reads.filter((n) => !params.has(n) && !moduleNames.has(n) && !GLOBAL_NAMES.has(n))
      if (needed.some((n) => !locals.some((l) => l.name === n))) continue
      if (usesThis(proposal.statement) && !isMethodLike(target)) continue
      const lastNeeded = Math.max(-1, ...locals.filter((l) => needed.includes(l.name)).map((l) => l.statementIndex))
      const fromIndent = indentationAt(text, proposal.statement.getStart(sourceFile))
      const toIndent = stub ? indentationAt(text, body.end - 1) + context.indentUnit : blockIndentOf(body, context)
      const statementText = reindent(proposal.text, fromIndent, toIndent)
      const span = stub
        ? replaceBody(context, body, [statementText])
        : placement(context, body, statementText, proposal.guard, lastNeeded)
      if (span === undefined) continue
      seen.add(key)
      results.push({
        span,
        remoteness,
        description: `insert \`${proposal.text.split("\n")[0]}\` (as in ${proposal.sibling}) into ${functionName(target) ?? "<anonymous>"}`
      })
    }
  }
  return results
}

const renamedName = (name: string, sibling: FunctionNode, target: FunctionNode): string => {
  const from = parameterNames(sibling)
  const to = parameterNames(target)
  const index = from.indexOf(name)
  return from.length === to.length && index >= 0 ? (to[index] ?? name) : name
}

const usesThis = (root: ts.Node): boolean => {
  let found = false
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) return
    if (node.kind === ts.SyntaxKind.ThisKeyword) found = true
    else ts.forEachChild(node, visit)
  }
  visit(root)
  return found
}

/** Functions in which `this` is the owning object: methods, accessors, `obj.m = function () {}`, `{ m: function () {} }`. */
const isMethodLike = (fn: FunctionNode): boolean => {
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn) || ts.isConstructorDeclaration(fn)) return true
  if (!ts.isFunctionExpression(fn)) return false
  const parent = fn.parent
  return parent !== undefined && (ts.isPropertyAssignment(parent) ||
    (ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left)))
}

const blockIndentOf = (body: ts.Block, context: InsertionContext): string => {
  const first = body.statements[0]
  return first === undefined
    ? indentationAt(context.text, body.end - 1) + context.indentUnit
    : indentationAt(context.text, first.getStart(context.sourceFile))
}

/** Guards go first (after the locals they read); returns go last. */
const placement = (
  context: InsertionContext,
  body: ts.Block,
  statementText: string,
  guard: boolean,
  lastNeededIndex: number
): EditSpan | undefined => {
  const statements = body.statements
  if (!guard) {
    const last = statements[statements.length - 1]
    return last === undefined ? undefined : insertAfter(context, last, statementText)
  }
  if (lastNeededIndex >= 0) {
    const anchor = statements[lastNeededIndex]
    return anchor === undefined ? undefined : insertAfter(context, anchor, statementText)
  }
  const first = statements[0]
  return first === undefined ? undefined : insertBefore(context, first, statementText)
}
