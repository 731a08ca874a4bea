import * as z from "zod"

export const Role = z.enum(["injector", "solver"])
export type Role = z.infer<typeof Role>

/**
 * How an episode ended (the agent loop's exit lane, or the procedural policy's outcome). "running" marks a
 * snapshot handed to onStep while the episode is still going (or the last one before a crash); it is never
 * the status of a finished episode.
 */
export const EpisodeStatus = z.enum([
  "running",
  "submitted",
  "budget_turns",
  "budget_tokens",
  "budget_time",
  "context_full",
  "format_error",
  "gave_up"
])
export type EpisodeStatus = z.infer<typeof EpisodeStatus>

export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string().describe("Raw JSON text of the arguments, as the model produced it")
})
export type ToolCall = z.infer<typeof ToolCall>

/** Exact tokens of one model turn, when the server returns them (vLLM/SGLang return_token_ids, logprobs). */
export const TurnTokens = z.object({
  promptIds: z.array(z.int()).optional(),
  completionIds: z.array(z.int()).optional(),
  completionLogprobs: z.array(z.number()).optional()
})
export type TurnTokens = z.infer<typeof TurnTokens>

export const Message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({
    role: z.literal("assistant"),
    content: z.string(),
    toolCalls: z.array(ToolCall).default([]),
    tokens: TurnTokens.optional(),
    usage: z.object({ inputTokens: z.int(), outputTokens: z.int() }).optional()
  }),
  z.object({ role: z.literal("tool"), toolCallId: z.string(), name: z.string(), content: z.string(), isError: z.boolean().default(false) })
])
export type Message = z.infer<typeof Message>

/** One step of a procedural policy (what it did and what it saw), kept alongside model messages. */
export const Action = z.object({
  at: z.number().describe("Milliseconds since the episode started"),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()).default({})
})
export type Action = z.infer<typeof Action>

export const Trajectory = z
  .object({
    role: Role,
    policy: z.object({ name: z.string(), version: z.string() }),
    status: EpisodeStatus,
    messages: z.array(Message).default([]),
    actions: z.array(Action).default([]),
    usage: z.object({ turns: z.int(), inputTokens: z.int(), outputTokens: z.int(), wallMs: z.number() }),
    seed: z.int().optional()
  })
  .meta({ id: "Trajectory", title: "One episode's trajectory (injector or solver)" })
export type Trajectory = z.infer<typeof Trajectory>
