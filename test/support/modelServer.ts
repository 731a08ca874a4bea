import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type Anthropic from "@anthropic-ai/sdk"
import { Effect } from "effect"
import type OpenAI from "openai"

/*
 * A local model server that speaks the real protocols — OpenAI chat completions (with vLLM/SGLang RL
 * extras) and Anthropic messages — and replays a scripted sequence of replies, recording every request.
 * Responses are typed with the SDKs' own types, so every field the SDKs declare is present.
 */

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  // The JSON body as sent: tests read provider-specific fields from it.
  readonly body: any
}

export interface ScriptedCall {
  readonly name: string
  /** A string is sent verbatim (to script malformed JSON); an object is JSON-encoded. */
  readonly arguments: string | Readonly<Record<string, unknown>>
}

export type ScriptedReply =
  | {
    readonly kind: "reply"
    readonly content?: string
    readonly calls?: ReadonlyArray<ScriptedCall>
    /** Default: tool_calls when there are calls, else stop. */
    readonly finish?: "stop" | "length" | "tool_calls" | "context_full"
    /** Override the usage the server reports (default: the fake tokenizer's counts). */
    readonly promptTokens?: number
    readonly completionTokens?: number
  }
  | { readonly kind: "error"; readonly status: number; readonly body: unknown }
  | { readonly kind: "delay"; readonly ms: number; readonly then: ScriptedReply }

export type ScriptStep = ScriptedReply | ((request: RecordedRequest, index: number) => ScriptedReply)

/** Where token ids go in OpenAI-compatible responses. */
export type TokenMode = "vllm" | "sglang" | "logprob-ids" | "none"

export interface ModelServerOptions {
  readonly protocol: "openai" | "anthropic"
  readonly script: ReadonlyArray<ScriptStep>
  readonly tokenMode?: TokenMode
  /** When set, requests must carry `Authorization: Bearer <key>` (what both SDKs send). */
  readonly apiKey?: string
}

export interface ModelServer {
  /** Root URL (no /v1). */
  readonly url: string
  readonly requests: Array<RecordedRequest>
}

export const call = (name: string, args: string | Readonly<Record<string, unknown>>): ScriptedCall => ({ name, arguments: args })
export const reply = (...calls: ReadonlyArray<ScriptedCall>): ScriptedReply => ({ kind: "reply", calls })
export const bash = (command: string) => reply(call("bash", { command }))
export const editor = (args: Readonly<Record<string, unknown>>) => reply(call("editor", args))
export const submit = () => reply(call("submit", {}))

/** A deterministic stand-in tokenizer: one id per 4 characters. */
export const fakeTokenize = (text: string): Array<number> => {
  const ids: Array<number> = []
  for (let i = 0; i < text.length; i += 4) {
    let h = 7
    for (const ch of text.slice(i, i + 4)) h = (h * 31 + ch.charCodeAt(0)) % 100_003
    ids.push(h)
  }
  return ids
}

const argumentsText = (c: ScriptedCall) => (typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments))

const openAiResponse = (r: Extract<ScriptedReply, { kind: "reply" }>, body: RecordedRequest["body"], n: number, mode: TokenMode) => {
  const calls = r.calls ?? []
  const content = r.content ?? ""
  const promptIds = fakeTokenize(JSON.stringify(body.messages))
  const completionIds = fakeTokenize(content + calls.map(argumentsText).join(""))
  const finish = r.finish ?? (calls.length > 0 ? "tool_calls" : "stop")
  const logprobs: OpenAI.Chat.Completions.ChatCompletion.Choice.Logprobs = {
    content: completionIds.map((id, i) => ({
      token: mode === "logprob-ids" ? `token_id:${id}` : `t${i}`,
      logprob: -0.01 * ((id % 100) + 1),
      bytes: [],
      top_logprobs: []
    })),
    refusal: null
  }
  const choice: OpenAI.Chat.Completions.ChatCompletion.Choice & Record<string, unknown> = {
    index: 0,
    message: {
      role: "assistant",
      content: content.length > 0 ? content : null,
      refusal: null,
      ...(calls.length > 0
        ? { tool_calls: calls.map((c, i) => ({ id: `call_${n}_${i}`, type: "function" as const, function: { name: c.name, arguments: argumentsText(c) } })) }
        : {})
    },
    finish_reason: finish === "context_full" ? "length" : finish,
    logprobs: body.logprobs === true ? logprobs : null,
    ...(mode === "vllm" ? { token_ids: completionIds } : {}),
    ...(mode === "sglang" ? { token_ids: completionIds, prompt_token_ids: promptIds } : {})
  }
  const response: OpenAI.Chat.Completions.ChatCompletion & Record<string, unknown> = {
    id: `chatcmpl-${n}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: String(body.model),
    choices: [choice],
    usage: {
      prompt_tokens: r.promptTokens ?? promptIds.length,
      completion_tokens: r.completionTokens ?? completionIds.length,
      total_tokens: (r.promptTokens ?? promptIds.length) + (r.completionTokens ?? completionIds.length)
    },
    ...(mode === "vllm" ? { prompt_token_ids: promptIds } : {})
  }
  return response
}

const anthropicResponse = (r: Extract<ScriptedReply, { kind: "reply" }>, body: RecordedRequest["body"], n: number): Anthropic.Messages.Message => {
  const calls = r.calls ?? []
  const content: Array<Anthropic.Messages.ContentBlock> = []
  if (r.content !== undefined && r.content.length > 0) content.push({ type: "text", text: r.content, citations: null })
  calls.forEach((c, i) => {
    const input: unknown = typeof c.arguments === "string" ? JSON.parse(c.arguments) : c.arguments
    content.push({ type: "tool_use", id: `toolu_${n}_${i}`, name: c.name, input, caller: { type: "direct" } })
  })
  const finish = r.finish ?? (calls.length > 0 ? "tool_calls" : "stop")
  const stop: Anthropic.Messages.StopReason = finish === "tool_calls" ? "tool_use" : finish === "length" ? "max_tokens" : finish === "context_full" ? "model_context_window_exceeded" : "end_turn"
  const input = r.promptTokens ?? fakeTokenize(JSON.stringify(body.messages) + String(body.system ?? "")).length
  const output = r.completionTokens ?? fakeTokenize(JSON.stringify(content)).length
  return {
    id: `msg_${n}`,
    type: "message",
    role: "assistant",
    model: String(body.model),
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: input,
      output_tokens: output,
      cache_creation: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null
    }
  }
}

const close = (server: Server) =>
  Effect.promise(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))

/** Starts the server on 127.0.0.1 for the scope's lifetime. */
export const modelServer = (options: ModelServerOptions) =>
  Effect.acquireRelease(
    Effect.promise(() => new Promise<{ server: Server; handle: ModelServer }>((resolve) => {
      const requests: Array<RecordedRequest> = []
      const path = options.protocol === "openai" ? "/v1/chat/completions" : "/v1/messages"
      const server = createServer((req, res) => {
        let raw = ""
        req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")))
        req.on("end", () => {
          const send = (status: number, json: unknown) => {
            if (res.destroyed) return
            res.writeHead(status, { "content-type": "application/json" })
            res.end(JSON.stringify(json))
          }
          if (req.method !== "POST" || req.url !== path) return send(404, { error: { message: `no route ${req.method} ${req.url}` } })
          if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
            return send(401, { type: "error", error: { type: "authentication_error", message: "missing or wrong bearer token" } })
          }
          const recorded: RecordedRequest = { method: req.method, path: req.url, headers: req.headers, body: JSON.parse(raw) }
          const index = requests.length
          requests.push(recorded)
          const step = options.script[index]
          if (step === undefined) return send(400, { error: { message: `script exhausted after ${options.script.length} replies`, type: "BadRequestError", param: null, code: 400 } })
          const answer = (r: ScriptedReply): void => {
            if (r.kind === "delay") {
              setTimeout(() => answer(r.then), r.ms)
              return
            }
            if (r.kind === "error") return send(r.status, r.body)
            send(200, options.protocol === "openai"
              ? openAiResponse(r, recorded.body, index, options.tokenMode ?? "vllm")
              : anthropicResponse(r, recorded.body, index))
          }
          answer(typeof step === "function" ? step(recorded, index) : step)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resolve({ server, handle: { url: `http://127.0.0.1:${port}`, requests } })
      })
    })),
    ({ server }) => close(server)
  ).pipe(Effect.map(({ handle }) => handle))

/** The text of the last tool result (OpenAI: role "tool"; Anthropic: a tool_result block) in a request. */
export const lastToolResult = (request: RecordedRequest): string => {
  const messages = request.body.messages as Array<{ role: string; content: unknown }>
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (m.role === "tool" && typeof m.content === "string") return m.content
    if (m.role === "user" && Array.isArray(m.content)) {
      const results = (m.content as Array<{ type: string; content?: unknown }>).filter((b) => b.type === "tool_result")
      if (results.length > 0) return String(results.at(-1)!.content)
    }
  }
  return ""
}
