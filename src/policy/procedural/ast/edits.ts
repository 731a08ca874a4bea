import { ts } from "ts-morph"
import { indentationAt, splice, startsLine, syntaxErrors } from "./source.ts"
import type { RepairCandidate, RepairEdit } from "./types.ts"

/*
 * Repair edits as data. Insertions are expressed as replacements of a neighbouring statement (or the whole
 * body), so a stale edit is detected by comparing `original` with the text at [start, end).
 */

export interface EditSpan {
  readonly start: number
  readonly end: number
  readonly original: string
  readonly replacement: string
  /** Line the change lands on (for ranking). */
  readonly line: number
}

/** The repaired text, or undefined when the edit does not fit `text` or the result would not parse. */
export const applyRepairEdit = (text: string, edit: RepairEdit): string | undefined => {
  if (edit.start < 0 || edit.end > text.length || text.slice(edit.start, edit.end) !== edit.original) return undefined
  const repaired = splice(text, edit.start, edit.end, edit.replacement)
  if (repaired === text) return undefined
  return syntaxErrors(edit.file, repaired).length === 0 ? repaired : undefined
}

export const toRepairCandidate = (edit: RepairEdit): RepairCandidate => ({
  ...edit,
  apply: (text) => applyRepairEdit(text, edit)
})

/** Re-indents the continuation lines of a copied multi-line statement. */
export const reindent = (statementText: string, fromIndent: string, toIndent: string): string => {
  if (fromIndent === toIndent) return statementText
  return statementText.split("\n").map((line, i) =>
    i > 0 && line.startsWith(fromIndent) ? toIndent + line.slice(fromIndent.length) : line
  ).join("\n")
}

export interface InsertionContext {
  readonly text: string
  readonly sourceFile: ts.SourceFile
  readonly indentUnit: string
}

const lineAt = (sourceFile: ts.SourceFile, position: number): number =>
  sourceFile.getLineAndCharacterOfPosition(position).line + 1

/** Insert `statementText` (already indented for continuation lines) after `anchor`. */
export const insertAfter = (context: InsertionContext, anchor: ts.Statement, statementText: string): EditSpan | undefined => {
  const start = anchor.getStart(context.sourceFile)
  if (!startsLine(context.text, start)) return undefined
  const original = context.text.slice(start, anchor.end)
  const indent = indentationAt(context.text, start)
  return {
    start,
    end: anchor.end,
    original,
    replacement: `${original}\n${indent}${statementText}`,
    line: lineAt(context.sourceFile, anchor.end) + 1
  }
}

/** Insert `statementText` before `anchor`, at the anchor's indentation. */
export const insertBefore = (context: InsertionContext, anchor: ts.Statement, statementText: string): EditSpan | undefined => {
  const start = anchor.getStart(context.sourceFile)
  if (!startsLine(context.text, start)) return undefined
  const original = context.text.slice(start, anchor.end)
  const indent = indentationAt(context.text, start)
  return {
    start,
    end: anchor.end,
    original,
    replacement: `${statementText}\n${indent}${original}`,
    line: lineAt(context.sourceFile, start)
  }
}

/** Replace a whole block body with one holding `statementTexts` (for emptied or stubbed bodies). */
export const replaceBody = (
  context: InsertionContext,
  body: ts.Block,
  statementTexts: ReadonlyArray<string>
): EditSpan => {
  const start = body.getStart(context.sourceFile)
  const closingIndent = indentationAt(context.text, body.end - 1)
  const indent = closingIndent + context.indentUnit
  const inner = statementTexts.map((s) => `${indent}${s}`).join("\n")
  return {
    start,
    end: body.end,
    original: context.text.slice(start, body.end),
    replacement: `{\n${inner}\n${closingIndent}}`,
    line: lineAt(context.sourceFile, start) + 1
  }
}

/** Replace a node's text. */
export const replaceNode = (context: InsertionContext, node: ts.Node, replacement: string): EditSpan => {
  const start = node.getStart(context.sourceFile)
  return { start, end: node.end, original: context.text.slice(start, node.end), replacement, line: lineAt(context.sourceFile, start) }
}
