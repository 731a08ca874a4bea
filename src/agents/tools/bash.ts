import { Effect } from "effect"
import * as z from "zod"
import type { SandboxError } from "../../domain/errors.ts"
import { PolicyError } from "../../policy/Policy.ts"
import type { ExecResult } from "../../sandbox/Sandbox.ts"
import { truncateMiddle } from "../observation.ts"
import { defineTool, observe } from "./Tool.ts"

/** Per stream. Past it the command is killed; what the model sees is cut much earlier (maxObservationChars). */
const MAX_EXEC_OUTPUT_BYTES = 4 * 1024 * 1024

export const BashInput = z.object({
  command: z.string().min(1).describe("The bash command to run (bash -c), from the repository root unless it cds elsewhere")
})

/** Sandbox failures while running a command are infrastructure: the episode crashes (PolicyError). */
export const sandboxFailure = (error: SandboxError) =>
  new PolicyError({ message: `sandbox failed during ${error.operation}: ${error.message}`, retryable: false, cause: error })

const render = (result: ExecResult, timeoutMs: number, maxChars: number): { text: string; isError: boolean } => {
  const parts: Array<string> = []
  if (result.stdout.length > 0) parts.push(result.stdout.trimEnd())
  if (result.stderr.length > 0) parts.push(`[stderr]\n${result.stderr.trimEnd()}`)
  const body = truncateMiddle(parts.join("\n"), maxChars)
  const status = result.timedOut
    ? `[the command timed out after ${Math.round(timeoutMs / 1000)} s and was killed]`
    : result.outputCapped
    ? `[the command wrote more than ${MAX_EXEC_OUTPUT_BYTES / (1024 * 1024)} MiB and was killed]`
    : result.exitCode === null
    ? `[killed by signal ${result.signal ?? "?"}]`
    : `[exit code ${result.exitCode}]`
  return { text: body.length > 0 ? `${body}\n${status}` : `(no output)\n${status}`, isError: result.timedOut || result.outputCapped || result.exitCode !== 0 }
}

/**
 * `bash`: one command per call, in a fresh `bash -c` at the repository root (no state carries over between
 * calls; background processes are killed when the command returns).
 */
export const bashTool = defineTool({
  name: "bash",
  description:
    "Run one bash command in the sandbox and return its output and exit code. Each call is a fresh shell started in the " +
    "repository root: `cd`, variables and background processes do not carry over to the next call. Long outputs are cut " +
    "in the middle; prefer targeted commands (grep -n, sed -n 'a,bp', head, tail).",
  input: BashInput
}, (args, context) =>
  context.sandbox.exec({
    argv: ["bash", "-c", args.command],
    cwd: context.sandbox.repoDir,
    timeoutMs: context.timeoutMs,
    maxOutputBytes: MAX_EXEC_OUTPUT_BYTES
  }).pipe(
    Effect.map((result) => {
      const { text, isError } = render(result, context.timeoutMs, context.maxObservationChars)
      return observe(text, isError)
    }),
    Effect.mapError(sandboxFailure)
  ))
