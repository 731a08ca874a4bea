import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as z from "zod"
import type { Message } from "../../src/domain/trajectory.ts"
import { makeAnthropicModel } from "../../src/llm/AnthropicModel.ts"
import type { ChatRequest } from "../../src/llm/LanguageModel.ts"
import { call, modelServer, reply } from "../support/modelServer.ts"

const FAST_RETRY = { maxRetries: 2, baseDelay: "10 millis", maxDelay: "50 millis" } as const

const tools = [
  { name: "bash", description: "Run a command", input: z.object({ command: z.string() }) },
  { name: "submit", description: "Finish", input: z.object({}) }
]

/** Two tool calls in one turn, then a malformed call replayed from history, then a nudge. */
const conversation: Array<Message> = [
  { role: "system", content: "You are a tester." },
  { role: "user", content: "Look around." },
  {
    role: "assistant",
    content: "Two commands.",
    toolCalls: [{ id: "toolu_a", name: "bash", arguments: '{"command":"ls"}' }, { id: "toolu_b", name: "bash", arguments: '{"command":"pwd"}' }]
  },
  { role: "tool", toolCallId: "toolu_a", name: "bash", content: "README.md", isError: false },
  { role: "tool", toolCallId: "toolu_b", name: "bash", content: "/repo", isError: false },
  { role: "assistant", content: "", toolCalls: [{ id: "toolu_c", name: "bash", arguments: "{not json" }] },
  { role: "tool", toolCallId: "toolu_c", name: "bash", content: "not valid JSON", isError: true }
]

const request: ChatRequest = { messages: conversation, tools, maxOutputTokens: 1024, sampling: { temperature: 1, topP: 0.95 } }

const modelAt = (url: string, sendSampling = false) =>
  makeAnthropicModel({ apiKey: "sk-ant-local", model: "claude-test", baseURL: url, retry: FAST_RETRY, requestTimeoutMs: 5_000, sendSampling })

describe("AnthropicModel", () => {
  it.live("sends Bearer auth, system, custom tools and grouped tool_results; reads tool_use blocks", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "anthropic", apiKey: "sk-ant-local", script: [{ kind: "reply", content: "Submitting.", calls: [call("submit", {})] }] })
      const turn = yield* modelAt(server.url).chat(request)
      const sent = server.requests[0]!
      assert.strictEqual(sent.headers.authorization, "Bearer sk-ant-local")
      assert.isString(sent.headers["anthropic-version"])
      assert.strictEqual(sent.body.system, "You are a tester.")
      assert.strictEqual(sent.body.max_tokens, 1024)
      assert.isUndefined(sent.body.temperature)
      assert.deepStrictEqual(sent.body.tools[0], {
        name: "bash",
        description: "Run a command",
        input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] }
      })
      const roles = sent.body.messages.map((m: { role: string }) => m.role)
      assert.deepStrictEqual(roles, ["user", "assistant", "user", "assistant", "user"])
      assert.deepStrictEqual(sent.body.messages[2].content, [
        { type: "tool_result", tool_use_id: "toolu_a", content: "README.md", is_error: false },
        { type: "tool_result", tool_use_id: "toolu_b", content: "/repo", is_error: false }
      ])
      assert.deepStrictEqual(sent.body.messages[3].content[0].input, { unparsed_arguments: "{not json" })

      assert.strictEqual(turn.content, "Submitting.")
      assert.strictEqual(turn.finish, "tool_calls")
      assert.deepStrictEqual(turn.toolCalls.map((c) => [c.id, c.name, c.arguments]), [["toolu_0_0", "submit", "{}"]])
      assert.isAbove(turn.usage.inputTokens, 0)
    }))

  it.live("sends game.sampling only when asked to", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "anthropic", script: [reply(call("submit", {}))] })
      yield* modelAt(server.url, true).chat(request)
      assert.strictEqual(server.requests[0]!.body.temperature, 1)
      assert.strictEqual(server.requests[0]!.body.top_p, 0.95)
    }))

  it.live("retries 529 overloaded", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({
        protocol: "anthropic",
        script: [{ kind: "error", status: 529, body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } }, reply(call("submit", {}))]
      })
      const turn = yield* modelAt(server.url).chat(request)
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(turn.toolCalls[0]?.name, "submit")
    }))

  it.live("'prompt is too long' is ContextWindowExceeded; the context stop reason is finish context_full", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({
        protocol: "anthropic",
        script: [
          { kind: "error", status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 210012 tokens > 200000 maximum" } } },
          { kind: "reply", content: "partial", finish: "context_full" }
        ]
      })
      const error = yield* Effect.flip(modelAt(server.url).chat(request))
      assert.strictEqual(error._tag, "ContextWindowExceeded")
      const turn = yield* modelAt(server.url).chat(request)
      assert.strictEqual(turn.finish, "context_full")
    }))

  it.live("a wrong key is a non-retryable PolicyError", () =>
    Effect.gen(function*() {
      const server = yield* modelServer({ protocol: "anthropic", apiKey: "other", script: [] })
      const error = yield* Effect.flip(modelAt(server.url).chat(request))
      assert.strictEqual(error._tag, "PolicyError")
      if (error._tag === "PolicyError") assert.isFalse(error.retryable)
      assert.strictEqual(server.requests.length, 0)
    }))
})
