import { ts } from "ts-morph"

/*
 * The direct-mutation vocabulary, shared by the injector (one canonical change per site) and the solver (every
 * alternative in the group, so the exact inverse of each injected change is always among the candidates).
 */

/** Interchangeable binary operators; a flip stays inside its group. */
export const OPERATOR_GROUPS: ReadonlyArray<ReadonlyArray<string>> = [
  ["+", "-"],
  ["*", "/"],
  ["<", "<=", ">", ">="],
  ["===", "!=="],
  ["==", "!="],
  ["&&", "||", "??"]
]

/** The injector's single change per operator: subtle (strictness, polarity) rather than absurd. */
export const CANONICAL_FLIP: Readonly<Record<string, string>> = {
  "+": "-",
  "-": "+",
  "*": "/",
  "/": "*",
  "<": "<=",
  "<=": "<",
  ">": ">=",
  ">=": ">",
  "===": "!==",
  "!==": "===",
  "==": "!=",
  "!=": "==",
  "&&": "||",
  "||": "&&",
  "??": "||"
}

/** Alternatives for a repair, the canonical partner first. */
export const operatorAlternatives = (operator: string): Array<string> => {
  const group = OPERATOR_GROUPS.find((g) => g.includes(operator))
  if (group === undefined) return []
  const partner = CANONICAL_FLIP[operator]
  const rest = group.filter((o) => o !== operator && o !== partner)
  return partner === undefined ? rest : [partner, ...rest]
}

export const isStrictnessFlip = (from: string, to: string): boolean =>
  (from === "<" && to === "<=") || (from === "<=" && to === "<") || (from === ">" && to === ">=") ||
  (from === ">=" && to === ">")

const stripParentheses = (node: ts.Expression): ts.Expression =>
  ts.isParenthesizedExpression(node) ? stripParentheses(node.expression) : node

/** Expressions that take a prefix `!` without parentheses. */
const isTightExpression = (node: ts.Expression): boolean =>
  ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) ||
  ts.isCallExpression(node) || ts.isParenthesizedExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword ||
  ts.isPrefixUnaryExpression(node)

/** The injector's negation: `!x` → `x`, `!(a && b)` → `a && b`, `x` → `!x`, `a < b` → `!(a < b)`. */
export const negatedText = (condition: ts.Expression, sourceFile: ts.SourceFile): string => {
  if (ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken) {
    return stripParentheses(condition.operand).getText(sourceFile)
  }
  const text = condition.getText(sourceFile)
  return isTightExpression(condition) ? `!${text}` : `!(${text})`
}

/** Every plausible negation of a condition (for repairs): `!x`, `!(x)`, and for `!…` the operand with/without parentheses. */
export const negationVariants = (condition: ts.Expression, sourceFile: ts.SourceFile): Array<string> => {
  const text = condition.getText(sourceFile)
  const variants: Array<string> = []
  if (ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken) {
    variants.push(stripParentheses(condition.operand).getText(sourceFile), condition.operand.getText(sourceFile))
  }
  if (isTightExpression(condition)) variants.push(`!${text}`)
  variants.push(`!(${text})`)
  return [...new Set(variants)].filter((v) => v !== text)
}

const INTEGER = /^\d+$/

/** The injector's constant change: 0↔1, other integers +1, booleans flipped, '' ↔ non-empty; undefined if none. */
export const changedConstant = (literal: ts.Node, sourceFile: ts.SourceFile): string | undefined => {
  const text = literal.getText(sourceFile)
  if (ts.isNumericLiteral(literal)) {
    if (!INTEGER.test(text)) return undefined
    const value = Number(text)
    if (!Number.isSafeInteger(value + 1)) return undefined
    return value === 1 ? "0" : String(value + 1)
  }
  if (literal.kind === ts.SyntaxKind.TrueKeyword) return "false"
  if (literal.kind === ts.SyntaxKind.FalseKeyword) return "true"
  if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) {
    const quote = text[0] ?? "'"
    return literal.text === "" ? `${quote} ${quote}` : `${quote}${quote}`
  }
  return undefined
}

/** Repair alternatives for a constant: integers ±1, booleans flipped, strings emptied or filled from `knownStrings`. */
export const constantAlternatives = (
  literal: ts.Node,
  sourceFile: ts.SourceFile,
  knownStrings: ReadonlyArray<string>
): Array<string> => {
  const text = literal.getText(sourceFile)
  if (ts.isNumericLiteral(literal)) {
    if (!INTEGER.test(text)) return []
    const value = Number(text)
    return value === 0 ? ["1"] : [String(value - 1), String(value + 1)]
  }
  if (literal.kind === ts.SyntaxKind.TrueKeyword) return ["false"]
  if (literal.kind === ts.SyntaxKind.FalseKeyword) return ["true"]
  if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) {
    const quote = text[0] ?? "'"
    if (literal.text !== "") return [`${quote}${quote}`]
    if (!/^['"]$/.test(quote)) return [`${quote} ${quote}`]
    const filled = knownStrings.filter((s) => s !== "").slice(0, 6).map((s) => quote + escapeForQuote(s, quote) + quote)
    return [`${quote} ${quote}`, ...filled]
  }
  return []
}

const escapeForQuote = (value: string, quote: string): string =>
  value.replace(/\\/g, "\\\\").replace(new RegExp(quote, "g"), `\\${quote}`).replace(/\n/g, "\\n")

const isModuleSpecifierOrKey = (node: ts.Node): boolean => {
  const parent = node.parent
  if (parent === undefined) return true
  if (ts.isPropertyAssignment(parent) && parent.name === node) return true
  if (ts.isPropertyDeclaration(parent) && parent.name === node) return true
  if (ts.isMethodDeclaration(parent) && parent.name === node) return true
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === node && !ts.isNumericLiteral(node)) return true
  if (ts.isExpressionStatement(parent)) return true // "use strict" and other directives
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText()
    if (/^(require|import|require\.resolve)$/.test(callee) || parent.expression.kind === ts.SyntaxKind.ImportKeyword) return true
    if (/^console\.|^(debug|log|logger\.\w+)$/.test(callee)) return true
  }
  if (ts.isNewExpression(parent) && /Error$/.test(parent.expression.getText())) return true
  if (ts.isLiteralTypeNode(parent) || ts.isImportTypeNode(parent) || ts.isExternalModuleReference(parent)) return true
  return ts.isJsxAttribute(parent)
}

/** A number/boolean/string literal whose value is program behaviour (not a key, module path, directive or message). */
export const isBehaviouralLiteral = (node: ts.Node): boolean => {
  const isLiteral = ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
  if (!isLiteral || isModuleSpecifierOrKey(node)) return false
  const parent = node.parent
  if (parent !== undefined && ts.isStringLiteral(node) && ts.isThrowStatement(parent)) return false
  return !(parent !== undefined && ts.isTaggedTemplateExpression(parent))
}
