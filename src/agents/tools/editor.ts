import { posix } from "node:path"
import { Effect } from "effect"
import * as z from "zod"
import type { SandboxError } from "../../domain/errors.ts"
import type { PolicyError } from "../../policy/Policy.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"
import { numberLines, truncateMiddle } from "../observation.ts"
import { sandboxFailure } from "./bash.ts"
import { defineTool, observe, type ToolContext, type ToolOutcome } from "./Tool.ts"

export const EditorInput = z
  .object({
    command: z.enum(["view", "create", "str_replace", "insert"]).describe(
      "view: show a file with line numbers (or list a directory); create: write a whole file; " +
        "str_replace: replace one exact occurrence of old_str with new_str; insert: insert new_str after line insert_line"
    ),
    path: z.string().min(1).describe("A file or directory: absolute, or relative to the repository root"),
    view_range: z.array(z.number().int()).length(2).optional().describe("view: [first, last] line, 1-based and inclusive; last = -1 reads to the end"),
    file_text: z.string().optional().describe("create: the whole content of the new file"),
    old_str: z.string().optional().describe("str_replace: text that occurs exactly once in the file, whitespace and indentation included"),
    new_str: z.string().optional().describe("str_replace: the replacement (omit or leave empty to delete old_str); insert: the text to insert"),
    insert_line: z.number().int().min(0).optional().describe("insert: new_str goes after this line; 0 inserts at the top")
  })
  .superRefine((args, ctx) => {
    const need = (field: "file_text" | "old_str" | "insert_line" | "new_str") =>
      ctx.addIssue({ code: "custom", path: [field], message: `${args.command} needs ${field}` })
    if (args.command === "create" && args.file_text === undefined) need("file_text")
    if (args.command === "str_replace" && (args.old_str === undefined || args.old_str.length === 0)) need("old_str")
    if (args.command === "insert" && args.insert_line === undefined) need("insert_line")
    if (args.command === "insert" && args.new_str === undefined) need("new_str")
  })
export type EditorInput = z.output<typeof EditorInput>

const SNIPPET_CONTEXT = 4
const LISTING_LIMIT = 400

const resolvePath = (sandbox: Sandbox, path: string) => posix.normalize(posix.isAbsolute(path) ? path : posix.join(sandbox.repoDir, path))

/** File operations fail on the path the model chose (outside the sandbox, read-only, a directory): tell it. */
const fileError = (path: string, error: SandboxError) => observe(`Cannot access ${path}: ${error.message}`, true)

const splitLines = (text: string): Array<string> => {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text
  return body.length === 0 ? [] : body.split("\n")
}

const joinLines = (lines: ReadonlyArray<string>): string => (lines.length === 0 ? "" : lines.join("\n") + "\n")

const snippet = (lines: ReadonlyArray<string>, fromLine: number, toLine: number) => {
  const first = Math.max(1, fromLine - SNIPPET_CONTEXT)
  const last = Math.min(lines.length, toLine + SNIPPET_CONTEXT)
  return numberLines(lines.slice(first - 1, last), first)
}

const readText = (sandbox: Sandbox, path: string) =>
  sandbox.readFile(path).pipe(Effect.map((bytes) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))))

const listDirectory = (context: ToolContext, path: string) =>
  context.sandbox.exec({
    argv: ["bash", "-c", `find "$1" -maxdepth 2 -not -path '*/.git' -not -path '*/.git/*' -not -path '*/node_modules/*' | sort | head -n ${LISTING_LIMIT}`, "list", path],
    timeoutMs: Math.min(context.timeoutMs, 30_000)
  }).pipe(
    Effect.map((r) => observe(`Files and directories up to 2 levels deep in ${path} (.git and node_modules left out, at most ${LISTING_LIMIT} entries):\n${r.stdout.trimEnd()}`)),
    Effect.mapError(sandboxFailure)
  )

const isDirectory = (context: ToolContext, path: string) =>
  context.sandbox.exec({ argv: ["test", "-d", path], timeoutMs: Math.min(context.timeoutMs, 30_000) }).pipe(
    Effect.map((r) => r.exitCode === 0),
    Effect.mapError(sandboxFailure)
  )

const view = Effect.fnUntraced(function*(context: ToolContext, path: string, range: ReadonlyArray<number> | undefined) {
  if (yield* isDirectory(context, path)) return yield* listDirectory(context, path)
  const read = yield* Effect.result(readText(context.sandbox, path))
  if (read._tag === "Failure") return fileError(path, read.failure)
  if (read.success === undefined) return observe(`${path} does not exist.`, true)
  const lines = splitLines(read.success)
  let first = 1
  let last = lines.length
  if (range !== undefined) {
    const [from, to] = range as [number, number]
    if (from < 1 || from > Math.max(lines.length, 1)) return observe(`Invalid view_range [${from}, ${to}]: ${path} has ${lines.length} lines; the first line number must be between 1 and ${lines.length}.`, true)
    if (to !== -1 && to < from) return observe(`Invalid view_range [${from}, ${to}]: the last line must be -1 or at least the first.`, true)
    first = from
    last = to === -1 ? lines.length : Math.min(to, lines.length)
  }
  const header = `${path} (lines ${first}-${last} of ${lines.length}):\n`
  return observe(header + truncateMiddle(numberLines(lines.slice(first - 1, last), first), context.maxObservationChars))
})

const create = Effect.fnUntraced(function*(context: ToolContext, path: string, text: string) {
  const written = yield* Effect.result(context.sandbox.writeFile(path, text, path.endsWith(".sh") ? { mode: 0o755 } : undefined))
  if (written._tag === "Failure") return fileError(path, written.failure)
  return observe(`Wrote ${path} (${splitLines(text).length} lines).`)
})

const occurrences = (text: string, needle: string): Array<number> => {
  const at: Array<number> = []
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) at.push(i)
  return at
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length

const strReplace = Effect.fnUntraced(function*(context: ToolContext, path: string, oldStr: string, newStr: string) {
  const read = yield* Effect.result(readText(context.sandbox, path))
  if (read._tag === "Failure") return fileError(path, read.failure)
  if (read.success === undefined) return observe(`${path} does not exist.`, true)
  const text = read.success
  const found = occurrences(text, oldStr)
  if (found.length === 0) {
    return observe(`No replacement was made: old_str does not occur verbatim in ${path}. Check whitespace and indentation (view the lines first).`, true)
  }
  if (found.length > 1) {
    const lines = found.map((o) => lineOf(text, o)).join(", ")
    return observe(`No replacement was made: old_str occurs ${found.length} times in ${path} (at lines ${lines}). Include more surrounding lines so that it is unique.`, true)
  }
  const at = found[0]!
  // Concatenation, not String.replace: `$&`, `$1`… in new_str must stay literal.
  const updated = text.slice(0, at) + newStr + text.slice(at + oldStr.length)
  const written = yield* Effect.result(context.sandbox.writeFile(path, updated))
  if (written._tag === "Failure") return fileError(path, written.failure)
  const firstLine = lineOf(updated, at)
  const lastLine = firstLine + Math.max(newStr.split("\n").length - 1, 0)
  return observe(`Edited ${path}. The changed region now reads:\n${snippet(splitLines(updated), firstLine, lastLine)}`)
})

const insert = Effect.fnUntraced(function*(context: ToolContext, path: string, afterLine: number, newStr: string) {
  const read = yield* Effect.result(readText(context.sandbox, path))
  if (read._tag === "Failure") return fileError(path, read.failure)
  if (read.success === undefined) return observe(`${path} does not exist.`, true)
  const lines = splitLines(read.success)
  if (afterLine > lines.length) return observe(`Invalid insert_line ${afterLine}: ${path} has ${lines.length} lines (use 0 to ${lines.length}).`, true)
  const inserted = splitLines(newStr.endsWith("\n") ? newStr : newStr + "\n")
  const updated = [...lines.slice(0, afterLine), ...inserted, ...lines.slice(afterLine)]
  const written = yield* Effect.result(context.sandbox.writeFile(path, joinLines(updated)))
  if (written._tag === "Failure") return fileError(path, written.failure)
  return observe(`Inserted ${inserted.length} line(s) after line ${afterLine} of ${path}:\n${snippet(updated, afterLine + 1, afterLine + inserted.length)}`)
})

/** A search/replace file editor over the sandbox's readFile/writeFile (paths inside the sandbox). */
export const editorTool = defineTool({
  name: "editor",
  description:
    "View, create and edit files. `view` prints a file with line numbers (optionally a view_range) or lists a directory; " +
    "`create` writes a whole file (parent directories are created); `str_replace` replaces old_str, which must occur " +
    "exactly once, with new_str; `insert` inserts new_str after line insert_line. Relative paths start at the repository root.",
  input: EditorInput
}, (args, context): Effect.Effect<ToolOutcome, PolicyError> => {
  const path = resolvePath(context.sandbox, args.path)
  switch (args.command) {
    case "view":
      return view(context, path, args.view_range)
    case "create":
      return create(context, path, args.file_text ?? "")
    case "str_replace":
      return strReplace(context, path, args.old_str ?? "", args.new_str ?? "")
    case "insert":
      return insert(context, path, args.insert_line ?? 0, args.new_str ?? "")
  }
})
