import Anthropic from "@anthropic-ai/sdk"
import { Effect, Layer } from "effect"
import type { Message, ToolCall } from "../domain/trajectory.ts"
import { PolicyError } from "../policy/Policy.ts"
import { type AssistantTurn, type ChatRequest, type FinishReason, LanguageModel, toolParameters } from "./LanguageModel.ts"
import { replayableArguments, systemText } from "./messages.ts"
import { classifyHttpFailure, DEFAULT_RETRY, type RetryOptions, retryTransient } from "./retry.ts"

export interface AnthropicOptions {
  readonly apiKey: string
  readonly model: string
  /** Defaults to the SDK's (https://api.anthropic.com). */
  readonly baseURL?: string | undefined
  /**
   * Send game.sampling as `temperature`/`top_p` (default false). API version 2026-10-21 deprecated
   * sampling parameters (the SDK's types no longer declare them); turn on for servers that honour them.
   */
  readonly sendSampling?: boolean | undefined
  readonly retry?: RetryOptions | undefined
  readonly requestTimeoutMs?: number | undefined
}

type Block = Anthropic.Messages.ContentBlockParam
type Turn = { role: "user" | "assistant"; content: Array<Block> }

/**
 * Our conversation → Anthropic messages: system text goes to `system`; tool results become tool_result
 * blocks of a user message; consecutive same-role messages are merged (the API wants strict alternation and
 * all results of one assistant turn in the next user message).
 */
const renderMessages = (messages: ReadonlyArray<Message>): Array<Anthropic.Messages.MessageParam> => {
  const turns: Array<Turn> = []
  const push = (role: Turn["role"], blocks: Array<Block>) => {
    const last = turns.at(-1)
    if (last !== undefined && last.role === role) last.content.push(...blocks)
    else turns.push({ role, content: blocks })
  }
  for (const m of messages) {
    switch (m.role) {
      case "system":
        break
      case "user":
        push("user", [{ type: "text", text: m.content.length > 0 ? m.content : "(empty)" }])
        break
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: m.toolCallId, content: m.content, is_error: m.isError }])
        break
      case "assistant": {
        const blocks: Array<Block> = []
        if (m.content.length > 0) blocks.push({ type: "text", text: m.content })
        for (const call of m.toolCalls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: replayableArguments(call.arguments) })
        push("assistant", blocks.length > 0 ? blocks : [{ type: "text", text: "(no reply)" }])
        break
      }
    }
  }
  return turns
}

const finishOf = (reason: Anthropic.Messages.StopReason | null): FinishReason => {
  switch (reason) {
    case "tool_use":
      return "tool_calls"
    case "end_turn":
    case "stop_sequence":
      return "stop"
    case "max_tokens":
      return "length"
    case "model_context_window_exceeded":
      return "context_full"
    default:
      return "other"
  }
}

const toTurn = (message: Anthropic.Messages.Message): AssistantTurn => {
  const text: Array<string> = []
  const toolCalls: Array<ToolCall> = []
  for (const block of message.content ?? []) {
    if (block.type === "text") text.push(block.text)
    else if (block.type === "tool_use") toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) })
  }
  const usage = message.usage
  return {
    content: text.join("\n"),
    toolCalls,
    usage: {
      inputTokens: (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0),
      outputTokens: usage?.output_tokens ?? 0
    },
    finish: finishOf(message.stop_reason)
  }
}

const failureOf = (error: unknown) => {
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined
    return { status: error.status, code: body?.error?.type, message: body?.error?.message ?? error.message }
  }
  return { status: undefined, message: error instanceof Error ? error.message : String(error) }
}

/** Builds the LanguageModel service over Anthropic's Messages API; bash/editor/submit are custom tools. */
export const makeAnthropicModel = (options: AnthropicOptions): LanguageModel["Service"] => {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    maxRetries: 0,
    timeout: options.requestTimeoutMs ?? 600_000
  })
  const chat = Effect.fn("AnthropicModel.chat")(function*(request: ChatRequest) {
    const system = systemText(request.messages)
    const params: Anthropic.Messages.MessageCreateParamsNonStreaming & Record<string, unknown> = {
      model: options.model,
      max_tokens: request.maxOutputTokens,
      ...(system.length > 0 ? { system } : {}),
      messages: renderMessages(request.messages),
      tools: request.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: toolParameters(t) as Anthropic.Messages.Tool.InputSchema
      })),
      ...(options.sendSampling === true ? { temperature: request.sampling.temperature, top_p: request.sampling.topP } : {})
    }
    const message = yield* Effect.tryPromise({
      try: (signal) => client.messages.create(params, { signal }),
      catch: (error) => classifyHttpFailure("anthropic", failureOf(error), error)
    }).pipe(retryTransient(options.retry ?? DEFAULT_RETRY))
    return toTurn(message)
  })
  return LanguageModel.of({ provider: "anthropic", model: options.model, chat })
}

export const AnthropicModel = {
  layer: (options: AnthropicOptions): Layer.Layer<LanguageModel> => Layer.sync(LanguageModel, () => makeAnthropicModel(options))
}
