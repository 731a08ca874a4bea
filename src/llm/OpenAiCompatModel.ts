import { Effect, Layer } from "effect"
import OpenAI from "openai"
import * as z from "zod"
import type { Message, ToolCall, TurnTokens } from "../domain/trajectory.ts"
import { PolicyError } from "../policy/Policy.ts"
import { type AssistantTurn, type ChatRequest, type FinishReason, LanguageModel, toolParameters } from "./LanguageModel.ts"
import { replayableArguments } from "./messages.ts"
import { classifyHttpFailure, DEFAULT_RETRY, type RetryOptions, retryTransient } from "./retry.ts"

export interface OpenAiCompatOptions {
  /** The server's OpenAI API root, e.g. `http://gpu-node:8000/v1`. */
  readonly baseURL: string
  readonly model: string
  /** vLLM and SGLang accept any key unless started with --api-key. */
  readonly apiKey?: string | undefined
  /**
   * Ask for RL extras (default true): `logprobs` and vLLM/SGLang's `return_token_ids`. Turn off for servers
   * that reject unknown parameters (api.openai.com).
   */
  readonly rlExtras?: boolean | undefined
  /** Extra body keys sent as-is (top_k, min_p, chat_template_kwargs, skip_special_tokens, …). */
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined
  readonly retry?: RetryOptions | undefined
  /** Per request. */
  readonly requestTimeoutMs?: number | undefined
}

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>

const renderMessage = (m: Message): OpenAI.Chat.Completions.ChatCompletionMessageParam => {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content }
    case "user":
      return { role: "user", content: m.content }
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content }
    case "assistant":
      return {
        role: "assistant",
        content: m.content.length > 0 ? m.content : null,
        ...(m.toolCalls.length > 0
          ? {
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: JSON.stringify(replayableArguments(c.arguments)) }
            }))
          }
          : {})
      }
  }
}

const TokenIds = z.array(z.int().min(0))
/** vLLM (chat): prompt_token_ids at the top level, token_ids per choice. SGLang: both per choice. */
const ResponseExtras = z.object({ prompt_token_ids: TokenIds.nullish(), token_ids: TokenIds.nullish() })
const ChoiceExtras = z.object({ prompt_token_ids: TokenIds.nullish(), token_ids: TokenIds.nullish() })
const TOKEN_ID_PREFIX = /^token_id:(\d+)$/

const readTokens = (response: OpenAI.Chat.Completions.ChatCompletion, choice: OpenAI.Chat.Completions.ChatCompletion.Choice): TurnTokens | undefined => {
  const top = ResponseExtras.safeParse(response)
  const own = ChoiceExtras.safeParse(choice)
  const promptIds = (own.success ? own.data.prompt_token_ids : undefined) ?? (top.success ? top.data.prompt_token_ids : undefined) ?? undefined
  const logprobs = choice.logprobs?.content ?? undefined
  // return_tokens_as_token_ids renders each sampled token as "token_id:N": the older way to get ids.
  const idsFromLogprobs = logprobs !== undefined && logprobs.length > 0 && logprobs.every((t) => TOKEN_ID_PREFIX.test(t.token))
    ? logprobs.map((t) => Number(TOKEN_ID_PREFIX.exec(t.token)![1]))
    : undefined
  const completionIds = (own.success ? own.data.token_ids : undefined) ?? (top.success ? top.data.token_ids : undefined) ?? idsFromLogprobs
  const completionLogprobs = logprobs?.map((t) => t.logprob)
  if (promptIds === undefined && completionIds === undefined && completionLogprobs === undefined) return undefined
  return {
    ...(promptIds === undefined ? {} : { promptIds }),
    ...(completionIds === undefined ? {} : { completionIds }),
    ...(completionLogprobs === undefined ? {} : { completionLogprobs })
  }
}

const finishOf = (reason: string | null | undefined): FinishReason => {
  switch (reason) {
    case "tool_calls":
    case "function_call":
      return "tool_calls"
    case "stop":
      return "stop"
    case "length":
      return "length"
    default:
      return "other"
  }
}

const toTurn = (response: OpenAI.Chat.Completions.ChatCompletion): AssistantTurn | PolicyError => {
  const choice = response.choices?.[0]
  if (choice === undefined || choice.message === undefined) {
    return new PolicyError({ message: "openai-compatible server returned no choice", retryable: false })
  }
  const toolCalls: Array<ToolCall> = (choice.message.tool_calls ?? []).flatMap((call) =>
    call.type === "function" ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments ?? "" }] : []
  )
  const tokens = readTokens(response, choice)
  return {
    content: choice.message.content ?? "",
    toolCalls,
    usage: {
      inputTokens: response.usage?.prompt_tokens ?? tokens?.promptIds?.length ?? 0,
      outputTokens: response.usage?.completion_tokens ?? tokens?.completionIds?.length ?? 0
    },
    tokens,
    finish: finishOf(choice.finish_reason)
  }
}

const failureOf = (error: unknown) => {
  if (error instanceof OpenAI.APIError) {
    return { status: error.status, code: error.code, message: error.message }
  }
  return { status: undefined, message: error instanceof Error ? error.message : String(error) }
}

/** Builds the LanguageModel service over an OpenAI-compatible chat-completions server (vLLM, SGLang, …). */
export const makeOpenAiCompatModel = (options: OpenAiCompatOptions): LanguageModel["Service"] => {
  // Retries are ours (Effect Schedule, retryable failures only), so the SDK's own are off.
  const client = new OpenAI({
    apiKey: options.apiKey ?? "EMPTY",
    baseURL: options.baseURL,
    maxRetries: 0,
    timeout: options.requestTimeoutMs ?? 600_000
  })
  const rlExtras = options.rlExtras ?? true
  const chat = Effect.fn("OpenAiCompatModel.chat")(function*(request: ChatRequest) {
    // The SDK has no extra_body: extra keys go into the params object itself (a `{ body }` request option
    // would replace the whole JSON body).
    const params: Params = {
      model: options.model,
      messages: request.messages.map(renderMessage),
      tools: request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: toolParameters(t) } })),
      tool_choice: "auto",
      n: 1,
      temperature: request.sampling.temperature,
      top_p: request.sampling.topP,
      max_tokens: request.maxOutputTokens,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
      ...(rlExtras ? { logprobs: true, top_logprobs: 0, return_token_ids: true } : {}),
      ...options.extraBody
    }
    const response = yield* Effect.tryPromise({
      try: (signal) => client.chat.completions.create(params, { signal }),
      catch: (error) => classifyHttpFailure("openai-compatible", failureOf(error), error)
    }).pipe(retryTransient(options.retry ?? DEFAULT_RETRY))
    const turn = toTurn(response)
    if (turn instanceof PolicyError) return yield* turn
    return turn
  })
  return LanguageModel.of({ provider: "openai-compatible", model: options.model, chat })
}

export const OpenAiCompatModel = {
  layer: (options: OpenAiCompatOptions): Layer.Layer<LanguageModel> => Layer.sync(LanguageModel, () => makeOpenAiCompatModel(options))
}
