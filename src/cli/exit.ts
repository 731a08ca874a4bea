import { Cause, Effect, Exit } from "effect"
import type { Teardown } from "effect/Runtime"

/**
 * Exit codes of every command: 0 all good, 1 a judged artifact/bug is invalid (or a run found failures it was
 * asked to report), 2 bad usage or an infrastructure failure, 130 interrupted (Ctrl-C; finalizers have run).
 */
let requested = 0

/** Handlers call this to ask for a non-zero exit code on success (the highest request wins). */
export const requestExitCode = (code: number) => Effect.sync(() => {
  requested = Math.max(requested, code)
})

const MESSAGE_TAGS = new Set(["UsageError", "PrepareError", "SandboxError", "HostIoError", "PolicyError", "BankError"])

const describe = (error: unknown): string | undefined => {
  if (error === null || typeof error !== "object" || !("_tag" in error)) return undefined
  const tagged = error as { _tag: string; message?: string; output?: string }
  if (MESSAGE_TAGS.has(tagged._tag)) {
    const output = tagged.output ? `\n${tagged.output}` : ""
    return `ssr: ${tagged.message ?? tagged._tag}${output}`
  }
  return undefined
}

export const cliTeardown: Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) return onExit(requested)
  const cause = exit.cause
  if (Cause.hasInterruptsOnly(cause)) return onExit(130)
  const failure = cause.reasons.find(Cause.isFailReason)
  const error = failure?.error
  // effect/cli has already printed parse errors with the command's help.
  const isCliError = typeof error === "object" && error !== null && "_tag" in error &&
    ["UnrecognizedOption", "DuplicateOption", "MissingOption", "MissingArgument", "UnexpectedArgument", "InvalidValue", "UnknownSubcommand", "ValidationError", "ShowHelp", "UserError"].includes((error as { _tag: string })._tag)
  if (!isCliError) {
    const message = describe(error)
    process.stderr.write((message ?? `ssr: internal error\n${Cause.pretty(cause)}`) + "\n")
  }
  onExit(2)
}
