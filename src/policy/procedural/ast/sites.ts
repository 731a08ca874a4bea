import { ts } from "ts-morph"
import {
  enclosingFunction,
  type FunctionNode,
  functionName,
  isFunctionNode,
  isImmediatelyInvoked,
  symbolAt
} from "./functions.ts"
import { directMutationMayHang, statementRemovalMayHang } from "./loops.ts"
import { CANONICAL_FLIP, changedConstant, isBehaviouralLiteral, isStrictnessFlip, negatedText } from "./operators.ts"
import { classifySource, deletionRange, detectIndentUnit, indentationAt, isTypeScriptPath, parseSource, usesSemicolons } from "./source.ts"
import type { MutationKind, MutationSite, SourceText } from "./types.ts"

export interface ListSitesOptions {
  readonly kinds: ReadonlyArray<MutationKind>
  /**
   * Lines the tests execute (1-based). When given, a site is kept only if its range touches one of them (for
   * remove-function-body: the body does), so targets are code the tests actually run.
   */
  readonly exercisedLines?: ReadonlySet<number>
}

/**
 * Every place in `file` where a mutation of the requested kinds can be made. Test, generated, minified,
 * vendored and declaration files, files that do not parse, and type-level code yield no sites.
 */
export const listMutationSites = (file: SourceText, options: ListSitesOptions): Array<MutationSite> => {
  if (classifySource(file.path, file.text) !== "source") return []
  const sourceFile = parseSource(file.path, file.text)
  if (hasParseErrors(sourceFile)) return []
  const kinds = new Set(options.kinds)
  const sites: Array<MutationSite> = []
  const context: ScanContext = { file, sourceFile, kinds, sites, exercised: options.exercisedLines, indentUnit: undefined, semicolon: undefined }
  const javaScript = !isTypeScriptPath(file.path)
  let typedJavaScript = false
  const visit = (node: ts.Node): void => {
    if (isSkippedSubtree(node)) {
      // Type syntax in a .js file (Flow, or a mistake) makes every mutation fail the syntax check.
      if (javaScript && isTypeSyntax(node)) typedJavaScript = true
      return
    }
    inspect(node, context)
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  if (typedJavaScript) return []
  return sites.sort((a, b) => a.start - b.start || a.end - b.end)
}

interface ScanContext {
  readonly file: SourceText
  readonly sourceFile: ts.SourceFile
  readonly kinds: ReadonlySet<MutationKind>
  readonly sites: Array<MutationSite>
  readonly exercised: ReadonlySet<number> | undefined
  indentUnit: string | undefined
  semicolon: string | undefined
}

const hasParseErrors = (sourceFile: ts.SourceFile): boolean =>
  ((sourceFile as unknown as { parseDiagnostics?: ReadonlyArray<unknown> }).parseDiagnostics?.length ?? 0) > 0

const SyntaxKind = ts.SyntaxKind
const isTypeNode = ts.isTypeNode
const SKIPPED_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  SyntaxKind.InterfaceDeclaration, SyntaxKind.TypeAliasDeclaration, SyntaxKind.EnumDeclaration, SyntaxKind.ModuleDeclaration,
  SyntaxKind.Decorator, SyntaxKind.ImportDeclaration, SyntaxKind.ExportDeclaration, SyntaxKind.HeritageClause
])
const AMBIENT_MODIFIERS: ReadonlySet<ts.SyntaxKind> = new Set([SyntaxKind.DeclareKeyword])

const isSkippedSubtree = (node: ts.Node): boolean => {
  if (SKIPPED_KINDS.has(node.kind) || isTypeNode(node)) return true
  const modifiers = (node as { readonly modifiers?: ReadonlyArray<ts.Node> }).modifiers
  return modifiers !== undefined && modifiers.some((m) => AMBIENT_MODIFIERS.has(m.kind))
}

const isTypeSyntax = (node: ts.Node): boolean =>
  ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ||
  ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node)

const INSPECTED_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  SyntaxKind.FunctionDeclaration, SyntaxKind.FunctionExpression, SyntaxKind.ArrowFunction, SyntaxKind.MethodDeclaration,
  SyntaxKind.GetAccessor, SyntaxKind.SetAccessor, SyntaxKind.Constructor, SyntaxKind.ReturnStatement,
  SyntaxKind.IfStatement, SyntaxKind.ExpressionStatement, SyntaxKind.ThrowStatement, SyntaxKind.BinaryExpression,
  SyntaxKind.ConditionalExpression, SyntaxKind.NumericLiteral, SyntaxKind.TrueKeyword, SyntaxKind.FalseKeyword,
  SyntaxKind.StringLiteral, SyntaxKind.NoSubstitutionTemplateLiteral
])

const inspect = (node: ts.Node, context: ScanContext): void => {
  if (!INSPECTED_KINDS.has(node.kind)) return
  const { kinds } = context
  if (kinds.has("remove-function-body") && isFunctionNode(node)) functionBodySite(node, context)
  if (kinds.has("remove-statement") && isRemovableStatement(node)) statementSite(node, context)
  if (kinds.has("flip-operator") && ts.isBinaryExpression(node)) operatorSite(node, context)
  if (kinds.has("negate-condition")) {
    if (ts.isIfStatement(node)) conditionSite(node.expression, context)
    if (ts.isConditionalExpression(node)) conditionSite(node.condition, context)
  }
  if (kinds.has("change-constant")) constantSite(node, context)
  if (kinds.has("remove-return-value") && ts.isReturnStatement(node)) returnValueSite(node, context)
}

const addSite = (
  context: ScanContext,
  kind: MutationKind,
  anchor: ts.Node,
  range: { start: number; end: number },
  replacement: string,
  what: string,
  coverage: { start: number; end: number } = range
): void => {
  const { sourceFile, file, exercised } = context
  if (exercised !== undefined) {
    const first = sourceFile.getLineAndCharacterOfPosition(coverage.start).line + 1
    const last = sourceFile.getLineAndCharacterOfPosition(Math.max(coverage.start, coverage.end - 1)).line + 1
    let touched = false
    for (let line = first; line <= last && !touched; line++) touched = exercised.has(line)
    if (!touched) return
  }
  const original = file.text.slice(range.start, range.end)
  if (original === replacement) return
  const symbol = symbolAt(anchor)
  const line = sourceFile.getLineAndCharacterOfPosition(range.start).line + 1
  context.sites.push({
    file: file.path,
    kind,
    symbol,
    line,
    start: range.start,
    end: range.end,
    original,
    replacement,
    description: `${what} in ${symbol} (${file.path}:${line})`
  })
}

const nodeRange = (node: ts.Node, sourceFile: ts.SourceFile) => ({ start: node.getStart(sourceFile), end: node.end })

const mentionsModuleExports = (body: ts.Node, sourceFile: ts.SourceFile): boolean =>
  /\bmodule\.exports\b|\bexports\.[\w$]+\s*=|\bdefine\(/.test(body.getText(sourceFile))

const hasVoidishReturnType = (fn: FunctionNode, sourceFile: ts.SourceFile): boolean => {
  const annotation = fn.type?.getText(sourceFile)
  return annotation === undefined || /^(void|undefined|any|unknown|Promise<(void|undefined|any|unknown)>)$/.test(annotation)
}

const functionBodySite = (fn: FunctionNode, context: ScanContext): void => {
  const { sourceFile, file } = context
  const body = fn.body
  if (body === undefined || ts.isConstructorDeclaration(fn) || functionName(fn) === undefined) return
  if (isImmediatelyInvoked(fn) || mentionsModuleExports(body, sourceFile)) return
  const name = functionName(fn) ?? "<anonymous>"
  if (!ts.isBlock(body)) {
    if (body.getText(sourceFile) === "undefined") return
    const replacement = isTypeScriptPath(file.path) && !hasVoidishReturnType(fn, sourceFile) ? "undefined as never" : "undefined"
    addSite(context, "remove-function-body", fn, nodeRange(body, sourceFile), replacement, `remove the body of ${name}`)
    return
  }
  if (body.statements.length === 0) return
  const range = nodeRange(body, sourceFile)
  const closeBrace = body.end - 1
  const multiLine = file.text.slice(range.start, range.end).includes("\n")
  const closingIndent = indentationAt(file.text, closeBrace)
  const needsValue = isTypeScriptPath(file.path) && !hasVoidishReturnType(fn, sourceFile)
  let replacement: string
  if (needsValue) {
    context.indentUnit ??= detectIndentUnit(file.text)
    context.semicolon ??= usesSemicolons(sourceFile) ? ";" : ""
    replacement = `{\n${closingIndent}${context.indentUnit}return undefined as never${context.semicolon}\n${closingIndent}}`
  } else {
    replacement = multiLine ? `{\n${closingIndent}}` : "{}"
  }
  addSite(context, "remove-function-body", fn, range, replacement, `remove the body of ${name}`)
}

type RemovableStatement = ts.ReturnStatement | ts.IfStatement | ts.ExpressionStatement | ts.ThrowStatement

const isRemovableStatement = (node: ts.Node): node is RemovableStatement =>
  (ts.isReturnStatement(node) || ts.isIfStatement(node) || ts.isExpressionStatement(node) || ts.isThrowStatement(node)) &&
  node.parent !== undefined && ts.isBlock(node.parent)

const statementLabel = (statement: RemovableStatement, sourceFile: ts.SourceFile): string => {
  const firstLine = statement.getText(sourceFile).split("\n")[0] ?? ""
  return firstLine.length > 60 ? `${firstLine.slice(0, 57)}...` : firstLine
}

const statementSite = (statement: RemovableStatement, context: ScanContext): void => {
  const { sourceFile, file } = context
  const fn = enclosingFunction(statement)
  if (fn === undefined) return
  const block = statement.parent as ts.Block
  if (block === fn.body && block.statements.length < 2) return
  if (ts.isExpressionStatement(statement) && (ts.isStringLiteral(statement.expression) || isSuperCall(statement))) return
  if (statementRemovalMayHang(statement)) return
  const start = statement.getStart(sourceFile)
  const range = deletionRange(file.text, start, statement.end)
  addSite(context, "remove-statement", statement, range, "", `remove statement \`${statementLabel(statement, sourceFile)}\``,
    { start, end: statement.end })
}

const isSuperCall = (statement: ts.Statement): boolean =>
  ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression) &&
  statement.expression.expression.kind === ts.SyntaxKind.SuperKeyword

const isStringOperand = (node: ts.Expression): boolean =>
  ts.isStringLiteral(node) || ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)

const operatorSite = (node: ts.BinaryExpression, context: ScanContext): void => {
  const token = node.operatorToken
  const operator = ts.tokenToString(token.kind)
  if (operator === undefined) return
  const flipped = CANONICAL_FLIP[operator]
  if (flipped === undefined) return
  if (operator === "+" && (isStringOperand(node.left) || isStringOperand(node.right))) return
  if (directMutationMayHang(token, isStrictnessFlip(operator, flipped))) return
  addSite(context, "flip-operator", node, nodeRange(token, context.sourceFile), flipped,
    `flip \`${operator}\` to \`${flipped}\``)
}

const conditionSite = (condition: ts.Expression, context: ScanContext): void => {
  if (enclosingFunction(condition) === undefined) return
  if (directMutationMayHang(condition, false)) return
  const negated = negatedText(condition, context.sourceFile)
  addSite(context, "negate-condition", condition, nodeRange(condition, context.sourceFile), negated,
    `negate the condition \`${condition.getText(context.sourceFile).slice(0, 50)}\``)
}

const constantSite = (node: ts.Node, context: ScanContext): void => {
  if (!isBehaviouralLiteral(node)) return
  const changed = changedConstant(node, context.sourceFile)
  if (changed === undefined) return
  if (directMutationMayHang(node, ts.isNumericLiteral(node))) return
  addSite(context, "change-constant", node, nodeRange(node, context.sourceFile), changed,
    `change the constant ${node.getText(context.sourceFile).slice(0, 40)} to ${changed}`)
}

const returnValueSite = (statement: ts.ReturnStatement, context: ScanContext): void => {
  const value = statement.expression
  if (value === undefined) return
  const fn = enclosingFunction(statement)
  if (fn === undefined || ts.isConstructorDeclaration(fn)) return
  if (value.kind === ts.SyntaxKind.UndefinedKeyword || value.getText(context.sourceFile) === "undefined" || ts.isVoidExpression(value)) return
  const { sourceFile, file } = context
  const range = nodeRange(statement, sourceFile)
  const original = file.text.slice(range.start, range.end)
  const replacement = original.trimEnd().endsWith(";") ? "return;" : "return"
  addSite(context, "remove-return-value", statement, range, replacement,
    `drop the returned value \`${value.getText(sourceFile).slice(0, 50)}\``)
}
