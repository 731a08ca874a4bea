import { ts } from "ts-morph"

/*
 * Finds tests and their assertions in a test file: describe/it/test/suite/context/specify (mocha, jest, vitest,
 * node:test), names bound from test modules (tape, tap, node:test, ava, …), subtests `t.test(…)`, and the
 * assertion statements inside each test: assert.* / assert(), expect(…)…, chai `should`, tape `t.equal(…)`.
 */

export type TestCallback = ts.ArrowFunction | ts.FunctionExpression

export interface TestNode {
  readonly name: string
  readonly path: ReadonlyArray<string>
  readonly call: ts.CallExpression
  readonly callback: TestCallback | undefined
  /** The callback's first parameter (tape/node:test `t`), when it has one. */
  readonly testParameter: string | undefined
  readonly parent: TestNode | undefined
}

export type AssertionStyle = "assert" | "expect" | "tape"

export interface Assertion {
  readonly test: TestNode
  /** The statement holding it, or the arrow function whose expression body it is. */
  readonly holder: ts.ExpressionStatement | ts.ArrowFunction
  readonly call: ts.CallExpression
  readonly style: AssertionStyle
  /** assert.strictEqual → "strictEqual", assert() → "ok", expect(x).not.toBe() → "toBe". */
  readonly method: string
  readonly explicitMessage: string | undefined
}

const TEST_FUNCTIONS = new Set(["describe", "context", "suite", "it", "test", "specify", "fdescribe", "xdescribe", "fit", "xit", "xtest"])
const TEST_MODIFIERS = new Set(["only", "skip", "todo", "concurrent", "sequential", "serial", "failing", "fails", "runIf", "skipIf"])
const TEST_MODULES = /^(node:test|test|tape|tap|ava|mocha|vitest|@jest\/globals|bun:test|zora|uvu|tape-.*|.*\/tape)$/
const ASSERT_MODULES = /^(node:)?assert(\/strict)?$|^(chai|expect|power-assert|should|uvu\/assert|vitest|@jest\/globals|bun:test)$/
const NON_ASSERT_METHODS = new Set([
  "test", "plan", "end", "comment", "teardown", "todo", "skip", "timeout", "diagnostic", "mock", "before", "after",
  "beforeEach", "afterEach", "signal", "name", "runOnly", "context", "fullName", "on", "once", "emit", "pass",
  "assertions", "hasAssertions", "extend", "log", "teardownAll", "describe", "it"
])

interface Bindings {
  readonly testFunctions: Set<string>
  readonly testNamespaces: Set<string>
  readonly assertRoots: Set<string>
}

const moduleOf = (node: ts.Expression | undefined): string | undefined => {
  if (node === undefined) return undefined
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "require") {
    const arg = node.arguments[0]
    return arg !== undefined && ts.isStringLiteral(arg) ? arg.text : undefined
  }
  if (ts.isPropertyAccessExpression(node)) return moduleOf(node.expression)
  return undefined
}

const bindingsOf = (sourceFile: ts.SourceFile): Bindings => {
  const bindings: Bindings = {
    testFunctions: new Set(TEST_FUNCTIONS),
    testNamespaces: new Set(),
    assertRoots: new Set(["assert", "expect", "should", "chai"])
  }
  const bind = (module: string, local: string, imported: string | undefined, whole: boolean): void => {
    if (ASSERT_MODULES.test(module) && (imported === undefined || !/^(test|describe|it|vi)$/.test(imported))) {
      bindings.assertRoots.add(local)
    }
    if (!TEST_MODULES.test(module)) return
    if (whole && /^(node:test|test|tap)$/.test(module)) bindings.testNamespaces.add(local)
    if (!whole || module !== "node:test") bindings.testFunctions.add(local)
  }
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const module = statement.moduleSpecifier.text
      const clause = statement.importClause
      if (clause?.name !== undefined) bind(module, clause.name.text, "default", true)
      const named = clause?.namedBindings
      if (named !== undefined && ts.isNamespaceImport(named)) bind(module, named.name.text, undefined, true)
      if (named !== undefined && ts.isNamedImports(named)) {
        for (const e of named.elements) bind(module, e.name.text, (e.propertyName ?? e.name).getText(sourceFile), false)
      }
    }
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const module = moduleOf(d.initializer)
        if (module === undefined) continue
        if (ts.isIdentifier(d.name)) bind(module, d.name.text, undefined, d.initializer !== undefined && ts.isCallExpression(d.initializer))
        if (ts.isObjectBindingPattern(d.name)) {
          for (const e of d.name.elements) {
            if (ts.isIdentifier(e.name)) bind(module, e.name.text, e.propertyName?.getText(sourceFile) ?? e.name.text, false)
          }
        }
      }
    }
  }
  return bindings
}

const stringValue = (node: ts.Expression | undefined): string | undefined =>
  node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined

const isTestCallee = (callee: ts.Expression, bindings: Bindings, testParameters: ReadonlySet<string>): boolean => {
  if (ts.isIdentifier(callee)) return bindings.testFunctions.has(callee.text)
  if (!ts.isPropertyAccessExpression(callee)) return false
  const base = callee.expression
  const member = callee.name.text
  if (TEST_MODIFIERS.has(member)) return isTestCallee(base, bindings, testParameters)
  if (!ts.isIdentifier(base)) return false
  if (bindings.testNamespaces.has(base.text)) return TEST_FUNCTIONS.has(member)
  return testParameters.has(base.text) && (member === "test" || member === "describe" || member === "it")
}

/** All tests of the file, outermost first (a describe is a test node whose children are its tests). */
export const findTests = (sourceFile: ts.SourceFile): Array<TestNode> => {
  const bindings = bindingsOf(sourceFile)
  const tests: Array<TestNode> = []
  const visit = (node: ts.Node, parent: TestNode | undefined, testParameters: ReadonlySet<string>): void => {
    if (ts.isCallExpression(node) && isTestCallee(node.expression, bindings, testParameters)) {
      const name = stringValue(node.arguments[0])
      const callback = [...node.arguments].reverse().find((a): a is TestCallback => ts.isArrowFunction(a) || ts.isFunctionExpression(a))
      if (name !== undefined) {
        const first = callback?.parameters[0]
        const testParameter = first !== undefined && ts.isIdentifier(first.name) ? first.name.text : undefined
        const test: TestNode = { name, path: [...(parent?.path ?? []), name], call: node, callback, testParameter, parent }
        tests.push(test)
        const inner = new Set(testParameters)
        if (testParameter !== undefined) inner.add(testParameter)
        if (callback !== undefined) visit(callback.body, test, inner)
        return
      }
    }
    ts.forEachChild(node, (child) => visit(child, parent, testParameters))
  }
  visit(sourceFile, undefined, new Set())
  return tests
}

const stripExpression = (node: ts.Expression): ts.Expression =>
  ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node) || ts.isVoidExpression(node)
    ? stripExpression(node.expression)
    : node

/** Root identifier and member names of a call chain: expect(a).not.toBe(b) → expect, [not, toBe]. */
const chainOf = (call: ts.CallExpression): { root: string | undefined; members: Array<string> } => {
  const members: Array<string> = []
  let current: ts.Expression = call.expression
  for (;;) {
    if (ts.isPropertyAccessExpression(current)) {
      members.unshift(current.name.text)
      current = current.expression
    } else if (ts.isCallExpression(current) || ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) {
      current = current.expression
    } else break
  }
  return { root: ts.isIdentifier(current) ? current.text : undefined, members }
}

const UNARY_METHODS = /^(ok|assert|true|false|notOk|notok|truthy|falsy|error|ifError|ifErr|iferror|fail|isTrue|isFalse|isOk|isNotOk|exists)$/

const explicitMessageOf = (call: ts.CallExpression, method: string): string | undefined => {
  const args = call.arguments
  if (/^(throws|doesNotThrow|rejects|doesNotReject)$/.test(method)) {
    return stringValue(args[2]) ?? (args.length === 2 ? stringValue(args[1]) : undefined)
  }
  if (method === "fail") return stringValue(args[0])
  const index = UNARY_METHODS.test(method) ? 1 : 2
  return args.length > index ? stringValue(args[args.length - 1]) : undefined
}

const classify = (
  call: ts.CallExpression,
  bindings: Bindings,
  testParameters: ReadonlySet<string>
): { style: AssertionStyle; method: string } | undefined => {
  const { root, members } = chainOf(call)
  if (root === undefined) return undefined
  const last = members[members.length - 1]
  if (bindings.assertRoots.has(root)) {
    if (last !== undefined && NON_ASSERT_METHODS.has(last)) return undefined
    const expectStyle = root !== "assert" && rootCallName(call) === root
    return { style: expectStyle ? "expect" : "assert", method: last ?? "ok" }
  }
  const first = members[0]
  if (testParameters.has(root) && first !== undefined && last !== undefined) {
    if (NON_ASSERT_METHODS.has(first)) return undefined
    return { style: first === "assert" ? "assert" : "tape", method: last }
  }
  if (members.includes("should")) return { style: "expect", method: last ?? "should" }
  return undefined
}

const rootCall = (call: ts.CallExpression): ts.CallExpression | undefined => {
  let current: ts.Expression = call.expression
  let found: ts.CallExpression | undefined
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current)) {
    if (ts.isCallExpression(current)) found = current
    current = current.expression
  }
  return found
}

const rootCallName = (call: ts.CallExpression): string | undefined => {
  const inner = rootCall(call)
  return inner !== undefined && ts.isIdentifier(inner.expression) ? inner.expression.text : undefined
}

/** Assertions that belong to `test` itself (nested tests' assertions belong to them). */
export const findAssertions = (sourceFile: ts.SourceFile, test: TestNode, allTests: ReadonlyArray<TestNode>): Array<Assertion> => {
  const callback = test.callback
  if (callback === undefined) return []
  const bindings = bindingsOf(sourceFile)
  const nestedCalls = new Set(allTests.filter((t) => t.parent === test).map((t) => t.call))
  const parameters = new Set<string>()
  for (let t: TestNode | undefined = test; t !== undefined; t = t.parent) if (t.testParameter !== undefined) parameters.add(t.testParameter)
  const found: Array<Assertion> = []
  const consider = (holder: ts.ExpressionStatement | ts.ArrowFunction, expression: ts.Expression): void => {
    const call = stripExpression(expression)
    if (!ts.isCallExpression(call)) return
    const kind = classify(call, bindings, parameters)
    if (kind === undefined) return
    found.push({ test, holder, call, style: kind.style, method: kind.method, explicitMessage: explicitMessageOf(call, kind.method) })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && nestedCalls.has(node)) return
    if (ts.isExpressionStatement(node)) consider(node, node.expression)
    if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) consider(node, node.body)
    ts.forEachChild(node, visit)
  }
  visit(callback.body)
  return found
}

/** `t.plan(n)`, `expect.assertions(n)`, `expect.hasAssertions()` statements directly in the test. */
export const findPlans = (sourceFile: ts.SourceFile, test: TestNode): Array<{ statement: ts.ExpressionStatement; call: ts.CallExpression; count: number | undefined }> => {
  const callback = test.callback
  if (callback === undefined || !ts.isBlock(callback.body)) return []
  const plans: Array<{ statement: ts.ExpressionStatement; call: ts.CallExpression; count: number | undefined }> = []
  for (const statement of callback.body.statements) {
    if (!ts.isExpressionStatement(statement)) continue
    const call = stripExpression(statement.expression)
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue
    const target = call.expression.expression.getText(sourceFile)
    const member = call.expression.name.text
    const isPlan = (member === "plan" && target === test.testParameter) || (target === "expect" && (member === "assertions" || member === "hasAssertions"))
    if (!isPlan) continue
    const arg = call.arguments[0]
    plans.push({ statement, call, count: arg !== undefined && ts.isNumericLiteral(arg) ? Number(arg.text) : undefined })
  }
  return plans
}
