import { Project, ts } from "ts-morph"

/*
 * Parsing, syntax checking and text-edit helpers. Scans use the raw compiler AST (ts.createSourceFile, ~10×
 * faster to walk than ts-morph wrappers); the syntax check goes through a ts-morph in-memory Project because
 * program.getSyntacticDiagnostics also reports JS-only errors (e.g. type annotations in a .js file).
 * All edits are text splices (not ts-morph manipulation, which re-indents with its own 4-space default and
 * rewrites comments inside replaced bodies), so bytes outside an edit never change; new lines take the file's
 * indentation unit (detectIndentUnit) and semicolon style (usesSemicolons).
 */

const EXTENSION_KINDS: ReadonlyArray<readonly [RegExp, ts.ScriptKind]> = [
  [/\.d\.[cm]?ts$/i, ts.ScriptKind.Unknown],
  [/\.[cm]?ts$/i, ts.ScriptKind.TS],
  [/\.tsx$/i, ts.ScriptKind.TSX],
  [/\.[cm]?js$/i, ts.ScriptKind.JS],
  [/\.jsx$/i, ts.ScriptKind.JSX]
]

/** The parser for a path, or undefined for files that are not JS/TS sources (declaration files included). */
export const scriptKindOf = (path: string): ts.ScriptKind | undefined => {
  for (const [pattern, kind] of EXTENSION_KINDS) {
    if (pattern.test(path)) return kind === ts.ScriptKind.Unknown ? undefined : kind
  }
  return undefined
}

export const isTypeScriptPath = (path: string): boolean => {
  const kind = scriptKindOf(path)
  return kind === ts.ScriptKind.TS || kind === ts.ScriptKind.TSX
}

/**
 * A parsed compiler AST with parent pointers. JSDoc is not parsed (no mutation or repair looks at it, and it is
 * a large share of parse time on documented code). Throws for unsupported extensions.
 */
export const parseSource = (path: string, text: string): ts.SourceFile => {
  const kind = scriptKindOf(path)
  if (kind === undefined) throw new Error(`not a JS/TS source file: ${path}`)
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }
  return ts.createSourceFile(path, text, options, true, kind)
}

let checkProject: Project | undefined
let checkCounter = 0

const projectForChecks = (): Project => {
  checkProject ??= new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.ES2022 }
  })
  return checkProject
}

/** Syntactic diagnostics of `text` parsed as `path` (cheap: no type-check, no lib files); [] when it parses. */
export const syntaxErrors = (path: string, text: string): ReadonlyArray<string> => {
  if (scriptKindOf(path) === undefined) return [`not a JS/TS source file: ${path}`]
  const project = projectForChecks()
  // A private name per call: the shared project may not keep files alive between calls.
  const name = `/check-${checkCounter++}/${path.replace(/^.*[\\/]/, "")}`
  const sourceFile = project.createSourceFile(name, text, { overwrite: true })
  try {
    return project.getProgram().getSyntacticDiagnostics(sourceFile).map((d) => {
      const message = d.getMessageText()
      const flat = typeof message === "string" ? message : message.getMessageText()
      return `${flat} (line ${d.getLineNumber() ?? "?"})`
    })
  } finally {
    project.removeSourceFile(sourceFile)
  }
}

/** The file's indentation unit: a tab, or the most common positive step in leading spaces (default 2). */
export const detectIndentUnit = (text: string): string => {
  let tabLines = 0
  let spaceLines = 0
  const steps = new Map<number, number>()
  let previous = 0
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    const leading = /^[ \t]*/.exec(line)?.[0] ?? ""
    if (leading.startsWith("\t")) tabLines++
    else if (leading.length > 0) spaceLines++
    if (!leading.includes("\t")) {
      const step = leading.length - previous
      if (step > 0 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1)
      previous = leading.length
    }
  }
  if (tabLines > spaceLines) return "\t"
  let best = 2
  let bestCount = 0
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step
      bestCount = count
    }
  }
  return " ".repeat(best)
}

export const lineOf = (sourceFile: ts.SourceFile, position: number): number =>
  sourceFile.getLineAndCharacterOfPosition(position).line + 1

/** Leading whitespace of the line containing `position`. */
export const indentationAt = (text: string, position: number): string => {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ""
}

/** True when only spaces/tabs precede `position` on its line. */
export const startsLine = (text: string, position: number): boolean => {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1
  return /^[ \t]*$/.test(text.slice(lineStart, position))
}

/**
 * The range to delete for a node spanning [start, end): whole lines (with their newline) when the node stands
 * alone on them, else just the node.
 */
export const deletionRange = (text: string, start: number, end: number): { start: number; end: number } => {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1
  const newline = text.indexOf("\n", end)
  const lineEnd = newline === -1 ? text.length : newline
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && /^[ \t]*\r?$/.test(text.slice(end, lineEnd))) {
    return { start: lineStart, end: newline === -1 ? text.length : newline + 1 }
  }
  return { start, end }
}

export const splice = (text: string, start: number, end: number, replacement: string): string =>
  text.slice(0, start) + replacement + text.slice(end)

export type SourceClass = "source" | "test" | "generated" | "minified" | "declaration" | "unsupported" | "vendored"

const TEST_PATH = /(^|[\\/])(__tests__|__mocks__|tests?|specs?|fixtures?|e2e)[\\/]|(^|[\\/.-])(test|spec)s?\.[cm]?[jt]sx?$|\.(test|spec)\.[cm]?[jt]sx?$/i
const GENERATED_MARK = /@generated|do not edit|auto-?generated|generated by|this file was generated/i

/** Why a file should (not) receive mutations; only "source" files get sites. */
export const classifySource = (path: string, text: string): SourceClass => {
  if (/\.d\.[cm]?ts$/i.test(path)) return "declaration"
  if (scriptKindOf(path) === undefined) return "unsupported"
  if (/(^|[\\/])(node_modules|bower_components|vendor)[\\/]/.test(path)) return "vendored"
  if (/\.min\.[cm]?js$/i.test(path) || /[.-]bundle\.[cm]?js$/i.test(path)) return "minified"
  if (TEST_PATH.test(path)) return "test"
  if (GENERATED_MARK.test(text.slice(0, 600))) return "generated"
  const lines = text.split("\n")
  const longest = lines.reduce((max, line) => Math.max(max, line.length), 0)
  if (text.length > 2_000 && (text.length / lines.length > 250 || longest > 5_000)) return "minified"
  return "source"
}

/** Whether most statements of the file end with a semicolon (new statements follow the file's style). */
export const usesSemicolons = (sourceFile: ts.SourceFile): boolean => {
  let withSemicolon = 0
  let without = 0
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node)) {
      if (node.getText(sourceFile).endsWith(";")) withSemicolon++
      else without++
    }
    if (withSemicolon + without < 200) ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return withSemicolon >= without
}
