import { Effect } from "effect"
import type { SandboxError } from "../domain/errors.ts"
import type { Sandbox } from "./Sandbox.ts"

/** Outcome of applying a diff inside a sandbox: a verdict, never an error. */
export type ApplyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string }

const GIT_TIMEOUT_MS = 120_000

const excerpt = (text: string, max = 1500) => (text.length <= max ? text : text.slice(0, max) + "…")

/**
 * `git apply` inside the sandbox, diff on stdin. An empty diff is a no-op. A diff that does not apply comes
 * back as { ok: false, reason } with git's own message. Works with or without a .git directory.
 */
export const applyDiff = (
  sandbox: Sandbox,
  diff: string,
  options: { readonly reverse?: boolean; readonly check?: boolean } = {}
): Effect.Effect<ApplyOutcome, SandboxError> => {
  if (diff.trim().length === 0) return Effect.succeed({ ok: true })
  const argv = ["git", "apply", "--whitespace=nowarn", ...(options.reverse ? ["-R"] : []), ...(options.check ? ["--check"] : []), "-"]
  return sandbox.exec({ argv, stdin: diff, timeoutMs: GIT_TIMEOUT_MS }).pipe(
    Effect.map((r): ApplyOutcome =>
      r.exitCode === 0
        ? { ok: true }
        : { ok: false, reason: excerpt((r.stderr || r.stdout).trim() || `git apply exited with ${r.exitCode}`) }
    )
  )
}

/** Shell-quotes one argument for `bash -c`. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`

/**
 * Restores files to their content at HEAD (the original commit); files absent at HEAD are deleted.
 * Requires the sandbox's repository to still have its .git (original history).
 */
export const restoreFiles = (
  sandbox: Sandbox,
  files: ReadonlyArray<string>
): Effect.Effect<ApplyOutcome, SandboxError> => {
  if (files.length === 0) return Effect.succeed({ ok: true })
  const script = [
    "set -e",
    "for f in \"$@\"; do",
    "  if git cat-file -e \"HEAD:$f\" 2>/dev/null; then git checkout --quiet HEAD -- \"$f\"; else rm -f -- \"$f\"; fi",
    "done"
  ].join("\n")
  return sandbox.exec({ argv: ["bash", "-c", script, "restore", ...files], timeoutMs: GIT_TIMEOUT_MS }).pipe(
    Effect.map((r): ApplyOutcome =>
      r.exitCode === 0 ? { ok: true } : { ok: false, reason: excerpt(r.stderr.trim() || `restore exited with ${r.exitCode}`) }
    )
  )
}
