import { Context, type Effect, Schema } from "effect"
import * as z from "zod"
import type { Message, ToolCall, TurnTokens } from "../domain/trajectory.ts"
import type { PolicyError } from "../policy/Policy.ts"

/**
 * A tool as the model sees it, declared once with zod (arguments are validated with the same schema) and
 * rendered per provider (OpenAI `function.parameters`, Anthropic `input_schema`).
 */
export interface ToolSpec {
  readonly name: string
  readonly description: string
  /** Must be a z.object (providers require an object schema at the root); no .meta({ id }) on it. */
  readonly input: z.ZodType
}

/** The JSON Schema of a tool's arguments, without `$schema` (providers reject or ignore it). */
export const toolParameters = (spec: ToolSpec): Record<string, unknown> => {
  const { $schema: _dropped, ...schema } = z.toJSONSchema(spec.input, { io: "input" }) as Record<string, unknown>
  return schema
}

export interface Sampling {
  readonly temperature: number
  readonly topP: number
}

export interface ChatRequest {
  /** The whole conversation so far, system message(s) first. */
  readonly messages: ReadonlyArray<Message>
  readonly tools: ReadonlyArray<ToolSpec>
  readonly maxOutputTokens: number
  readonly sampling: Sampling
  /** Sent to servers that accept a sampling seed (vLLM, SGLang, OpenAI); ignored by the others. */
  readonly seed?: number | undefined
}

/** Why the model stopped: normalised across providers. */
export type FinishReason = "tool_calls" | "stop" | "length" | "context_full" | "other"

/** One assistant turn: what the model said, which tools it called, and what it cost. */
export interface AssistantTurn {
  readonly content: string
  /** Arguments are kept as the raw JSON text the model produced (validated later, by the agent loop). */
  readonly toolCalls: ReadonlyArray<ToolCall>
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number }
  /** Exact prompt/completion token ids and logprobs, when the server returned them. */
  readonly tokens?: TurnTokens | undefined
  readonly finish: FinishReason
}

/** The server refused the request because the conversation no longer fits its context window. */
export class ContextWindowExceeded extends Schema.TaggedError<ContextWindowExceeded>()("ContextWindowExceeded", {
  message: Schema.String
}) {}

/**
 * The LanguageModel port: one chat turn with tools. Transient failures are retried inside the adapter;
 * what is left is a PolicyError (infrastructure: unreachable server, broken protocol) or
 * ContextWindowExceeded (an episode outcome, not a crash).
 */
export class LanguageModel extends Context.Service<LanguageModel, {
  readonly provider: string
  readonly model: string
  chat(request: ChatRequest): Effect.Effect<AssistantTurn, PolicyError | ContextWindowExceeded>
}>()("ssr/LanguageModel") {}
