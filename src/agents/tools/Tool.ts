import type { Effect } from "effect"
import * as z from "zod"
import type { ToolSpec } from "../../llm/LanguageModel.ts"
import type { PolicyError } from "../../policy/Policy.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"

/** What a tool call sees: the episode's sandbox and this call's limits (set by the agent loop). */
export interface ToolContext {
  readonly sandbox: Sandbox
  /** Per call: game.budgets.toolTimeoutSeconds, shortened to the episode's remaining wall time. */
  readonly timeoutMs: number
  /** Observations longer than this are cut in the middle, with a notice saying how much was cut. */
  readonly maxObservationChars: number
}

/**
 * A tool call's outcome. `observe` goes back to the model (isError for failing commands, no match, bad
 * paths: the "tell the model" lane); `submit` ends the episode with status "submitted".
 */
export type ToolOutcome =
  | { readonly kind: "observe"; readonly output: string; readonly isError: boolean }
  | { readonly kind: "submit"; readonly output: string }

export const observe = (output: string, isError = false): ToolOutcome => ({ kind: "observe", output, isError })

export interface AgentTool {
  readonly spec: ToolSpec
  /** Arguments are already validated against spec.input. A PolicyError is infrastructure (crash lane). */
  readonly run: (args: unknown, context: ToolContext) => Effect.Effect<ToolOutcome, PolicyError>
}

/** Declares a tool once: its zod schema validates the model's arguments and renders the provider schema. */
export const defineTool = <S extends z.ZodType<Record<string, unknown>>>(
  spec: { readonly name: string; readonly description: string; readonly input: S },
  run: (args: z.output<S>, context: ToolContext) => Effect.Effect<ToolOutcome, PolicyError>
): AgentTool => ({ spec, run: (args, context) => run(args as z.output<S>, context) })
