import { ts } from "ts-morph"

/* Function-level facts over the raw compiler AST: which nodes are functions, their names, their scopes. */

export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ConstructorDeclaration

// Read once: under test runners every `ts.x` access can go through a module proxy and getters (hot paths).
const SyntaxKind = ts.SyntaxKind
const FUNCTION_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
  SyntaxKind.Constructor
])

export const isFunctionNode = (node: ts.Node): node is FunctionNode => FUNCTION_KINDS.has(node.kind)

export const enclosingFunction = (node: ts.Node): FunctionNode | undefined => {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionNode(current)) return current
  }
  return undefined
}

const propertyNameText = (name: ts.PropertyName | ts.BindingName | undefined): string | undefined => {
  if (name === undefined) return undefined
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text
  return undefined
}

const className = (node: ts.Node): string | undefined => {
  const parent = node.parent
  if (parent !== undefined && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent))) {
    if (parent.name !== undefined) return parent.name.text
    const holder = parent.parent
    if (holder !== undefined && ts.isVariableDeclaration(holder)) return propertyNameText(holder.name)
  }
  return undefined
}

const qualify = (owner: string | undefined, name: string): string => owner === undefined ? name : `${owner}.${name}`

/** The function's own name, when it has one a person would use: declarations, methods, `const f = () => …`. */
export const functionName = (fn: FunctionNode): string | undefined => {
  if (ts.isConstructorDeclaration(fn)) return qualify(className(fn), "constructor")
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const own = propertyNameText(fn.name)
    return own === undefined ? undefined : qualify(className(fn), own)
  }
  if (ts.isFunctionDeclaration(fn)) {
    if (fn.name !== undefined) return fn.name.text
    return fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ? "default" : undefined
  }
  if (ts.isFunctionExpression(fn) && fn.name !== undefined) return fn.name.text
  let child: ts.Node = fn
  let holder: ts.Node | undefined = fn.parent
  while (holder !== undefined && (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder))) {
    child = holder
    holder = holder.parent
  }
  if (holder === undefined) return undefined
  if (ts.isVariableDeclaration(holder)) return propertyNameText(holder.name)
  if (ts.isPropertyAssignment(holder)) return propertyNameText(holder.name)
  if (ts.isPropertyDeclaration(holder)) {
    const own = propertyNameText(holder.name)
    return own === undefined ? undefined : qualify(className(holder), own)
  }
  if (ts.isExportAssignment(holder)) return "default"
  if (ts.isBinaryExpression(holder) && holder.operatorToken.kind === ts.SyntaxKind.EqualsToken && holder.right === child) {
    // exports.foo = function …, module.exports.foo = …, Foo.prototype.bar = …, obj.baz = …
    const target = holder.left
    if (ts.isPropertyAccessExpression(target) && target.name.text === "exports" && ts.isIdentifier(target.expression) &&
      target.expression.text === "module") return "module.exports"
    if (ts.isPropertyAccessExpression(target)) {
      const owner = target.expression
      const ownerName = ts.isPropertyAccessExpression(owner) && owner.name.text === "prototype" && ts.isIdentifier(owner.expression)
        ? owner.expression.text
        : undefined
      return qualify(ownerName, target.name.text)
    }
    if (ts.isIdentifier(target)) return target.text
  }
  return undefined
}

/** Name of the nearest named enclosing function; "<anonymous>" in unnamed ones; class name or "<module>" outside. */
export const symbolAt = (node: ts.Node): string => {
  let sawFunction = false
  for (let current: ts.Node | undefined = isFunctionNode(node) ? node : node.parent; current !== undefined; current = current.parent) {
    if (isFunctionNode(current)) {
      sawFunction = true
      const name = functionName(current)
      if (name !== undefined) return name
    }
    if (!sawFunction && (ts.isClassDeclaration(current) || ts.isClassExpression(current)) && current.name !== undefined) {
      return current.name.text
    }
  }
  return sawFunction ? "<anonymous>" : "<module>"
}

/** `(function () { … })()` and friends: module wrappers whose body is the whole module. */
export const isImmediatelyInvoked = (fn: FunctionNode): boolean => {
  let current: ts.Node = fn
  while (current.parent !== undefined && ts.isParenthesizedExpression(current.parent)) current = current.parent
  const parent = current.parent
  if (parent === undefined) return false
  if (ts.isCallExpression(parent) && parent.expression === current) return true
  // (function(){}).call(this), !function(){}()
  if (ts.isPropertyAccessExpression(parent) && parent.expression === current) return true
  return ts.isPrefixUnaryExpression(parent) && ts.isCallExpression(current)
}

/** Names of the function's simple parameters (destructured ones are skipped). */
export const parameterNames = (fn: FunctionNode): Array<string> =>
  fn.parameters.flatMap((p) => ts.isIdentifier(p.name) && p.name.text !== "this" ? [p.name.text] : [])

/** Locals declared with var/let/const directly in the function body, in order of declaration. */
export const topLevelLocals = (fn: FunctionNode): Array<{ name: string; line: number; statementIndex: number }> => {
  const body = fn.body
  if (body === undefined || !ts.isBlock(body)) return []
  const sourceFile = fn.getSourceFile()
  const names: Array<{ name: string; line: number; statementIndex: number }> = []
  body.statements.forEach((statement, statementIndex) => {
    if (!ts.isVariableStatement(statement)) return
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name)) {
        const line = sourceFile.getLineAndCharacterOfPosition(declaration.getStart(sourceFile)).line + 1
        names.push({ name: declaration.name.text, line, statementIndex })
      }
    }
  })
  return names
}

/** Identifiers read in a subtree, excluding property names (`a.b` → a) and object-literal keys. */
export const referencedIdentifiers = (root: ts.Node): Set<string> => {
  const names = new Set<string>()
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent
      const isPropertyName = parent !== undefined && (
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node)
      )
      if (!isPropertyName) names.add(node.text)
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(root)
  return names
}

/** Identifiers assigned (=, op=, ++, --) anywhere in the subtree. */
export const assignedIdentifiers = (root: ts.Node): Set<string> => {
  const names = new Set<string>()
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind) && ts.isIdentifier(node.left)) {
      names.add(node.left.text)
    }
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) &&
      ts.isIdentifier(node.operand)) {
      names.add(node.operand.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(root)
  return names
}

export const isAssignmentOperator = (kind: ts.SyntaxKind): boolean =>
  kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment

/** Names declared at module level (functions, classes, variables, imports). */
export const moduleLevelNames = (sourceFile: ts.SourceFile): Set<string> => {
  const names = new Set<string>()
  for (const statement of sourceFile.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name !== undefined) {
      names.add(statement.name.text)
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text)
    } else if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
      const clause = statement.importClause
      if (clause.name !== undefined) names.add(clause.name.text)
      const bindings = clause.namedBindings
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.add(bindings.name.text)
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text)
    }
  }
  return names
}
