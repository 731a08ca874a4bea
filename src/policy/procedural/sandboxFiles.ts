import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import { shellQuote } from "../../sandbox/repoOps.ts"
import type { ExecResult, Sandbox } from "../../sandbox/Sandbox.ts"

/* Repository file and git helpers for the procedural policy: every read, write and git call goes through the sandbox. */

const GIT_TIMEOUT_MS = 120_000
const decoder = new TextDecoder()

const repoPath = (sandbox: Sandbox, relative: string): string => `${sandbox.repoDir}/${relative}`

/** A repository file's text, or undefined when it does not exist. */
export const readRepoText = (sandbox: Sandbox, relative: string): Effect.Effect<string | undefined, SandboxError> =>
  sandbox.readFile(repoPath(sandbox, relative)).pipe(Effect.map((bytes) => (bytes === undefined ? undefined : decoder.decode(bytes))))

/** Texts of several repository files (missing ones are left out). */
export const readRepoTexts = (
  sandbox: Sandbox,
  files: ReadonlyArray<string>
): Effect.Effect<Map<string, string>, SandboxError> =>
  Effect.forEach(files, (file) => readRepoText(sandbox, file).pipe(Effect.map((text) => [file, text] as const)), { concurrency: 8 }).pipe(
    Effect.map((entries) => new Map(entries.flatMap(([file, text]) => (text === undefined ? [] : [[file, text] as const]))))
  )

export const writeRepoTexts = (sandbox: Sandbox, texts: ReadonlyMap<string, string>): Effect.Effect<void, SandboxError> =>
  sandbox.writeFiles([...texts].map(([file, text]) => ({ path: repoPath(sandbox, file), content: text })))

/** Runs a bash script at the repository root; arguments are passed as $1… */
export const bash = (
  sandbox: Sandbox,
  script: string,
  args: ReadonlyArray<string> = [],
  options: { readonly stdin?: string; readonly timeoutMs?: number; readonly maxOutputBytes?: number } = {}
): Effect.Effect<ExecResult, SandboxError> =>
  sandbox.exec({
    argv: ["bash", "-c", script, "ssr", ...args],
    timeoutMs: options.timeoutMs ?? GIT_TIMEOUT_MS,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes })
  })

/** `git diff HEAD` of the given paths (working tree against the original commit); "" when nothing changed. */
export const gitDiffOf = (sandbox: Sandbox, files: ReadonlyArray<string>): Effect.Effect<string, SandboxError> => {
  if (files.length === 0) return Effect.succeed("")
  const pathspec = files.map((f) => shellQuote(`:(literal)${f}`)).join(" ")
  return bash(sandbox, `git diff --no-color --no-ext-diff --binary HEAD -- ${pathspec}`, [], { maxOutputBytes: 32 * 1024 * 1024 }).pipe(
    Effect.map((r) => (r.exitCode === 0 ? r.stdout : ""))
  )
}
