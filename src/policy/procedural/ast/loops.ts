import { ts } from "ts-morph"
import { assignedIdentifiers, isFunctionNode, referencedIdentifiers } from "./functions.ts"

/*
 * Hang guards. A mutation that turns a terminating loop into an endless one makes tests time out instead of
 * fail, which the game scores as "missing", not as a clean failure. These rules reject the common ways to do
 * that (mutating a loop condition, its progress step, or the guard that exits it). They are heuristics: a
 * sandbox timeout still has to catch the rest.
 */

type ClassicLoop = ts.WhileStatement | ts.DoStatement | ts.ForStatement

const isClassicLoop = (node: ts.Node): node is ClassicLoop =>
  ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node)

/** `for (…; …; i++)`, `i--`, `i += k`, `i -= k`: the counter moves monotonically. */
const hasSimpleCounterStep = (loop: ts.ForStatement): boolean => {
  const step = loop.incrementor
  if (step === undefined) return false
  if ((ts.isPostfixUnaryExpression(step) || ts.isPrefixUnaryExpression(step)) && ts.isIdentifier(step.operand)) {
    return step.operator === ts.SyntaxKind.PlusPlusToken || step.operator === ts.SyntaxKind.MinusMinusToken
  }
  return ts.isBinaryExpression(step) && ts.isIdentifier(step.left) &&
    (step.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken || step.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) &&
    ts.isNumericLiteral(step.right) && Number(step.right.text) > 0
}

const loopCondition = (loop: ClassicLoop): ts.Expression | undefined => loop.kind === ts.SyntaxKind.ForStatement
  ? (loop as ts.ForStatement).condition
  : (loop as ts.WhileStatement | ts.DoStatement).expression

/**
 * Identifiers whose changes can end the loop: read by its condition or step, or by the condition of a guard
 * inside it that exits (`while (true) { if (i >= n) break; i++ }`).
 */
const conditionIdentifierCache = new WeakMap<ClassicLoop, Set<string>>()

const conditionIdentifiers = (loop: ClassicLoop): Set<string> => {
  const cached = conditionIdentifierCache.get(loop)
  if (cached !== undefined) return cached
  const names = new Set<string>()
  conditionIdentifierCache.set(loop, names)
  const condition = loopCondition(loop)
  if (condition !== undefined) for (const n of referencedIdentifiers(condition)) names.add(n)
  if (ts.isForStatement(loop) && loop.incrementor !== undefined) {
    for (const n of referencedIdentifiers(loop.incrementor)) names.add(n)
  }
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return
    if (ts.isIfStatement(node) && (containsLoopExit(node.thenStatement) || (node.elseStatement !== undefined && containsLoopExit(node.elseStatement)))) {
      for (const n of referencedIdentifiers(node.expression)) names.add(n)
    }
    ts.forEachChild(node, visit)
  }
  visit(loop.statement)
  return names
}

const within = (node: ts.Node, container: ts.Node | undefined): boolean =>
  container !== undefined && node.pos >= container.pos && node.end <= container.end

/** Classic loops around `node`, innermost first, up to the enclosing function. */
const enclosingClassicLoops = (node: ts.Node): Array<ClassicLoop> => {
  const loops: Array<ClassicLoop> = []
  for (let current = node.parent; current !== undefined && !isFunctionNode(current); current = current.parent) {
    if (isClassicLoop(current)) loops.push(current)
  }
  return loops
}

const loopExitCache = new WeakMap<ts.Node, boolean>()

/** break/continue/return/throw inside the subtree (nested functions excluded). */
export const containsLoopExit = (root: ts.Node): boolean => {
  const cached = loopExitCache.get(root)
  if (cached !== undefined) return cached
  let found = false
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node) || ts.isReturnStatement(node) || ts.isThrowStatement(node)) {
      found = true
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(root)
  loopExitCache.set(root, found)
  return found
}

const nearestStatement = (node: ts.Node): ts.Node | undefined => {
  for (let current: ts.Node | undefined = node; current !== undefined; current = current.parent) {
    if (ts.isExpressionStatement(current) || ts.isVariableStatement(current) || ts.isReturnStatement(current)) return current
    if (isFunctionNode(current) || ts.isBlock(current)) return undefined
  }
  return undefined
}

const guardedIf = (node: ts.Node): ts.IfStatement | undefined => {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isIfStatement(current)) return within(node, current.expression) ? current : undefined
    if (ts.isStatement(current) || isFunctionNode(current)) return undefined
  }
  return undefined
}

const assignedCache = new WeakMap<ts.Node, Set<string>>()

const assignedIn = (statement: ts.Node): Set<string> => {
  let names = assignedCache.get(statement)
  if (names === undefined) {
    names = assignedIdentifiers(statement)
    assignedCache.set(statement, names)
  }
  return names
}

/**
 * May a direct mutation of `node` (an operator token, literal or condition) hang a loop?
 * `allowInBoundedCondition` admits changes that keep a counted `for` terminating (strictness flips, constants).
 */
export const directMutationMayHang = (node: ts.Node, allowInBoundedCondition: boolean): boolean => {
  for (const loop of enclosingClassicLoops(node)) {
    const condition = loopCondition(loop)
    if (within(node, condition)) {
      if (!(ts.isForStatement(loop) && hasSimpleCounterStep(loop) && allowInBoundedCondition)) return true
      continue
    }
    if (ts.isForStatement(loop) && (within(node, loop.incrementor) || within(node, loop.initializer))) {
      if (within(node, loop.incrementor)) return true
      continue
    }
    const ids = conditionIdentifiers(loop)
    const statement = nearestStatement(node)
    if (statement !== undefined && [...assignedIn(statement)].some((n) => ids.has(n))) return true
    const guard = guardedIf(node)
    const bounded = ts.isForStatement(loop) && hasSimpleCounterStep(loop)
    if (guard !== undefined && !bounded && containsLoopExit(guard.thenStatement)) return true
  }
  return false
}

/** May removing this statement hang an enclosing loop (it exits the loop or advances its condition)? */
export const statementRemovalMayHang = (statement: ts.Statement): boolean => {
  for (const loop of enclosingClassicLoops(statement)) {
    if (containsLoopExit(statement)) return true
    const ids = conditionIdentifiers(loop)
    if ([...assignedIdentifiers(statement)].some((n) => ids.has(n))) return true
  }
  return false
}
