import { Effect } from "effect"
import { simpleGit } from "simple-git"
import { HostIoError } from "../domain/errors.ts"

/** Identity and settings for commits the engine makes in its own cache (deterministic, never signed). */
export const ENGINE_GIT_CONFIG = [
  "user.name=SSR Engine",
  "user.email=engine@ssr.invalid",
  "commit.gpgsign=false",
  "tag.gpgsign=false",
  "init.defaultBranch=main",
  "advice.detachedHead=false",
  "core.autocrlf=false"
]

/**
 * Runs git on the HOST, for trusted operations on the engine's own cache (cloning, replaying fixture patches,
 * listing files). Never for artifacts or agent patches: those are applied inside sandboxes.
 * simple-git drops ambient GIT_* variables, so the user's environment cannot redirect these commands.
 */
export const hostGit = (cwd: string, args: ReadonlyArray<string>, options: { readonly timeoutMs?: number } = {}) =>
  Effect.tryPromise({
    try: (signal) =>
      simpleGit({
        baseDir: cwd,
        abort: signal,
        config: ENGINE_GIT_CONFIG,
        timeout: { block: options.timeoutMs ?? 120_000 }
      }).raw([...args]),
    catch: (cause) =>
      new HostIoError({
        message: `git ${args.join(" ")} failed in ${cwd}: ${cause instanceof Error ? cause.message.trim() : String(cause)}`,
        operation: `git ${args[0] ?? ""}`,
        cause
      })
  })
