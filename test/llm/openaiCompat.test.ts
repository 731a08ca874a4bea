import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as z from "zod"
import type { Message } from "../../src/domain/trajectory.ts"
import { type ChatRequest, LanguageModel } from "../../src/llm/LanguageModel.ts"
import { makeOpenAiCompatModel } from "../../src/llm/OpenAiCompatModel.ts"
import { bash, call, fakeTokenize, modelServer, reply, type TokenMode } from "../support/modelServer.ts"

const FAST_RETRY = { maxRetries: 2, baseDelay: "10 millis", maxDelay: "50 millis" } as const

const tools = [
  { name: "bash", description: "Run a command", input: z.object({ command: z.string().describe("the command") }) },
  { name: "submit", description: "Finish", input: z.object({}) }
]

const conversation: Array<Message> = [
  { role: "system", content: "You are a tester." },
  { role: "user", content: "Run ls." },
  { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "bash", arguments: '{"command":"ls"}' }] },
  { role: "tool", toolCallId: "c1", name: "bash", content: "README.md\n[exit code 0]", isError: false }
]

const request: ChatRequest = { messages: conversation, tools, maxOutputTokens: 512, sampling: { temperature: 1, topP: 0.95 }, seed: 7 }

const modelAt = (url: string, extra: { rlExtras?: boolean; extraBody?: Record<string, unknown> } = {}) =>
  makeOpenAiCompatModel({ baseURL: `${url}/v1`, model: "qwen-test", apiKey: "sk-local", retry: FAST_RETRY, requestTimeoutMs: 5_000, ...extra })

describe("OpenAiCompatModel", () => {
  it.live("sends the conversation, tools, sampling and RL extras in one body, and reads the tool call back", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "openai", apiKey: "sk-local", script: [reply(call("bash", { command: "git status" }))] })
      const model = modelAt(server.url, { extraBody: { top_k: 20, chat_template_kwargs: { enable_thinking: false } } })
      const turn = yield* model.chat(request)

      assert.strictEqual(server.requests.length, 1)
      const body = server.requests[0]!.body
      assert.strictEqual(server.requests[0]!.headers.authorization, "Bearer sk-local")
      assert.strictEqual(body.model, "qwen-test")
      assert.strictEqual(body.temperature, 1)
      assert.strictEqual(body.top_p, 0.95)
      assert.strictEqual(body.max_tokens, 512)
      assert.strictEqual(body.seed, 7)
      assert.strictEqual(body.n, 1)
      assert.strictEqual(body.logprobs, true)
      assert.strictEqual(body.return_token_ids, true)
      assert.strictEqual(body.top_k, 20)
      assert.deepStrictEqual(body.chat_template_kwargs, { enable_thinking: false })
      assert.deepStrictEqual(body.tools[0], {
        type: "function",
        function: {
          name: "bash",
          description: "Run a command",
          parameters: { type: "object", properties: { command: { type: "string", description: "the command" } }, required: ["command"] }
        }
      })
      assert.deepStrictEqual(body.messages.map((m: { role: string }) => m.role), ["system", "user", "assistant", "tool"])
      assert.deepStrictEqual(body.messages[2].tool_calls, [{ id: "c1", type: "function", function: { name: "bash", arguments: '{"command":"ls"}' } }])
      assert.strictEqual(body.messages[3].tool_call_id, "c1")

      assert.strictEqual(turn.finish, "tool_calls")
      assert.deepStrictEqual(turn.toolCalls.map((c) => ({ name: c.name, args: JSON.parse(c.arguments) })), [{ name: "bash", args: { command: "git status" } }])
    }))

  it.live("without rlExtras, no logprobs or return_token_ids are requested", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "openai", script: [reply(call("submit", {}))] })
      yield* modelAt(server.url, { rlExtras: false }).chat(request)
      const body = server.requests[0]!.body
      assert.isUndefined(body.logprobs)
      assert.isUndefined(body.return_token_ids)
    }))

  const tokenCases: Array<[TokenMode, string]> = [
    ["vllm", "prompt_token_ids at the top level, token_ids per choice"],
    ["sglang", "prompt_token_ids and token_ids per choice"],
    ["logprob-ids", "ids only as token_id:N logprob tokens"]
  ]
  for (const [mode, where] of tokenCases) {
    it.live(`reads exact token ids and logprobs defensively (${mode}: ${where})`, () =>
      Effect.gen(function*() {
        const server = yield* modelServer({ protocol: "openai", tokenMode: mode, script: [bash("ls -la")] })
        const turn = yield* modelAt(server.url).chat(request)
        const sentMessages = server.requests[0]!.body.messages
        const expectedCompletion = fakeTokenize('{"command":"ls -la"}')
        assert.deepStrictEqual(turn.tokens?.completionIds, expectedCompletion)
        assert.strictEqual(turn.tokens?.completionLogprobs?.length, expectedCompletion.length)
        if (mode === "logprob-ids") assert.isUndefined(turn.tokens?.promptIds)
        else assert.deepStrictEqual(turn.tokens?.promptIds, fakeTokenize(JSON.stringify(sentMessages)))
        assert.deepStrictEqual(turn.usage, { inputTokens: fakeTokenize(JSON.stringify(sentMessages)).length, outputTokens: expectedCompletion.length })
      }))
  }

  it.live("retries 5xx and 429 with backoff, then succeeds", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({
        protocol: "openai",
        script: [
          { kind: "error", status: 503, body: { error: { message: "loading model", type: "ServiceUnavailable", code: 503 } } },
          { kind: "error", status: 429, body: { error: { message: "slow down", type: "RateLimit", code: 429 } } },
          reply(call("submit", {}))
        ]
      })
      const turn = yield* modelAt(server.url).chat(request)
      assert.strictEqual(server.requests.length, 3)
      assert.strictEqual(turn.toolCalls[0]?.name, "submit")
    }))

  it.live("a server that stays unreachable is a retryable PolicyError after the retries", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(modelAt("http://127.0.0.1:9").chat(request))
      assert.strictEqual(error._tag, "PolicyError")
      if (error._tag === "PolicyError") {
        assert.isTrue(error.retryable)
        assert.include(error.message, "no response")
      }
    }))

  it.live("a 4xx other than 408/409/429 fails at once, not retryable", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "openai", script: [{ kind: "error", status: 404, body: { error: { message: "model qwen-test does not exist", type: "NotFoundError", code: 404 } } }] })
      const error = yield* Effect.flip(modelAt(server.url).chat(request))
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(error._tag, "PolicyError")
      if (error._tag === "PolicyError") assert.isFalse(error.retryable)
    }))

  it.live("vLLM's context-length 400 is recognised as ContextWindowExceeded", () =>
    Effect.gen(function*() {
      const message = "This model's maximum context length is 32768 tokens. However, you requested 40123 tokens (39611 in the messages, 512 in the completion)."
      const server = yield* modelServer({ protocol: "openai", script: [{ kind: "error", status: 400, body: { error: { message, type: "BadRequestError", param: null, code: 400 } } }] })
      const error = yield* Effect.flip(modelAt(server.url).chat(request))
      assert.strictEqual(error._tag, "ContextWindowExceeded")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.live("is usable as the LanguageModel service", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "openai", script: [reply(call("submit", {}))] })
      const turn = yield* Effect.gen(function*() {
        return yield* (yield* LanguageModel).chat(request)
      }).pipe(Effect.provideService(LanguageModel, modelAt(server.url)))
      assert.strictEqual(turn.toolCalls.length, 1)
    }))
})
