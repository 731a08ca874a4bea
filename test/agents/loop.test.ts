import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { EpisodeBudgets } from "../../src/agents/budget.ts"
import { type EpisodeSpec, runEpisode } from "../../src/agents/loop.ts"
import { bashTool } from "../../src/agents/tools/bash.ts"
import { editorTool } from "../../src/agents/tools/editor.ts"
import { submitTool } from "../../src/agents/tools/submit.ts"
import { Trajectory } from "../../src/domain/trajectory.ts"
import { makeAnthropicModel } from "../../src/llm/AnthropicModel.ts"
import { LanguageModel } from "../../src/llm/LanguageModel.ts"
import { makeOpenAiCompatModel } from "../../src/llm/OpenAiCompatModel.ts"
import type { Sandbox } from "../../src/sandbox/Sandbox.ts"
import { fixtureSandbox, sandboxLayer } from "../support/agents.ts"
import { bash, call, lastToolResult, modelServer, type ModelServerOptions, reply, type ScriptStep, submit } from "../support/modelServer.ts"

const FAST_RETRY = { maxRetries: 1, baseDelay: "10 millis", maxDelay: "20 millis" } as const
const BUDGETS: EpisodeBudgets = { turns: 20, tokens: 100_000, seconds: 120, toolTimeoutSeconds: 30 }

interface Run {
  readonly steps: Array<Trajectory>
  readonly spec: (sandbox: Sandbox, overrides?: Partial<EpisodeSpec>) => EpisodeSpec
}

const recorder = (): Run => {
  const steps: Array<Trajectory> = []
  return {
    steps,
    spec: (sandbox, overrides = {}) => ({
      role: "solver",
      policy: { name: "scripted", version: "3" },
      system: "You are tested.",
      task: "Do the scripted thing.",
      tools: [bashTool, editorTool, submitTool],
      sandbox,
      budgets: BUDGETS,
      sampling: { temperature: 1, topP: 0.95 },
      strictFormat: false,
      seed: 11,
      maxOutputTokens: 1_000,
      maxObservationChars: 4_000,
      // Every snapshot must be a valid Trajectory record.
      onStep: (t) => Effect.sync(() => void steps.push(Trajectory.parse(t))),
      ...overrides
    })
  }
}

/** A real sandbox, a scripted server of the given protocol, and the episode run against both. */
const scripted = (script: ReadonlyArray<ScriptStep>, overrides: Partial<EpisodeSpec> = {}, protocol: ModelServerOptions["protocol"] = "openai") =>
  Effect.gen(function*() {
    const { sandbox } = yield* fixtureSandbox()
    const server = yield* modelServer({ protocol, script })
    const model = protocol === "openai"
      ? makeOpenAiCompatModel({ baseURL: `${server.url}/v1`, model: "m", retry: FAST_RETRY })
      : makeAnthropicModel({ apiKey: "k", baseURL: server.url, model: "m", retry: FAST_RETRY })
    const run = recorder()
    const trajectory = yield* runEpisode(run.spec(sandbox, overrides)).pipe(Effect.provideService(LanguageModel, model))
    return { trajectory, server, steps: run.steps, sandbox }
  })

const lastUserText = (body: { messages: Array<{ role: string; content: unknown }> }) => {
  const last = body.messages.at(-1)!
  return typeof last.content === "string" ? last.content : JSON.stringify(last.content)
}

layer(sandboxLayer, { timeout: 600_000, excludeTestServices: true })("agent loop lanes and budgets", (it) => {
  it.effect("observe lane: malformed JSON, unknown tools, invalid arguments and replies without a call are fed back", () =>
    Effect.gen(function*() {
      const { trajectory, server, steps } = yield* scripted([
        reply(call("bash", '{"command": "ls')),
        reply(call("python", { code: "print(1)" })),
        reply(call("editor", { command: "str_replace", path: "src/csv.js" })),
        { kind: "reply", content: "Let me think about it." },
        bash("false"),
        submit()
      ])
      const requests = server.requests
      assert.strictEqual(requests.length, 6)
      assert.include(lastToolResult(requests[1]!), "The arguments of your bash call are not valid JSON")
      assert.include(lastToolResult(requests[2]!), 'Unknown tool "python". The available tools are: bash, editor, submit.')
      assert.include(lastToolResult(requests[3]!), "str_replace needs old_str")
      assert.include(lastUserText(requests[4]!.body), "Your reply contained no tool call")
      assert.include(lastToolResult(requests[5]!), "[exit code 1]")
      for (const r of requests.slice(1)) assert.include(JSON.stringify(r.body.messages.at(-1)), "[remaining budget:")
      // The malformed call is replayed as an object holding its raw text (servers parse arguments).
      assert.deepStrictEqual(JSON.parse(requests[1]!.body.messages[2].tool_calls[0].function.arguments), { unparsed_arguments: '{"command": "ls' })

      assert.strictEqual(trajectory.status, "submitted")
      assert.strictEqual(trajectory.usage.turns, 6)
      assert.deepStrictEqual(steps.map((s) => s.status), ["running", "running", "running", "running", "running", "submitted"])
      assert.strictEqual(steps.at(-1)!.messages.length, trajectory.messages.length)
      const toolErrors = trajectory.messages.filter((m) => m.role === "tool" && m.isError).length
      assert.strictEqual(toolErrors, 4)
      const assistant = trajectory.messages.find((m) => m.role === "assistant")
      assert.isDefined(assistant?.role === "assistant" ? assistant.tokens?.completionIds : undefined)
    }))

  it.effect("observe lane over the Anthropic protocol: errors come back as is_error tool_result blocks", () =>
    Effect.gen(function*() {
      const { trajectory, server } = yield* scripted([
        reply(call("python", { code: "1" })),
        reply(call("editor", { command: "view" })),
        submit()
      ], {}, "anthropic")
      const block = (i: number) => server.requests[i]!.body.messages.at(-1).content[0]
      assert.strictEqual(block(1).type, "tool_result")
      assert.isTrue(block(1).is_error)
      assert.include(block(1).content, 'Unknown tool "python"')
      assert.include(block(2).content, "Invalid arguments for editor")
      assert.strictEqual(trajectory.status, "submitted")
    }))

  it.effect("exit lane: with strictFormat a malformed call ends the episode with format_error", () =>
    Effect.gen(function*() {
      const { trajectory, server, steps } = yield* scripted([reply(call("bash", "{oops")), submit()], { strictFormat: true })
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(trajectory.status, "format_error")
      const last = trajectory.messages.at(-1)!
      assert.strictEqual(last.role, "tool")
      if (last.role === "tool") assert.include(last.content, "not valid JSON")
      assert.deepStrictEqual(steps.map((s) => s.status), ["format_error"])
      const noCall = yield* scripted([{ kind: "reply", content: "no tools" }], { strictFormat: true })
      assert.strictEqual(noCall.trajectory.status, "format_error")
    }))

  it.effect("budget_turns: the turn budget ends the episode", () =>
    Effect.gen(function*() {
      const { trajectory, server } = yield* scripted([bash("true"), bash("true"), bash("true"), bash("true")], { budgets: { ...BUDGETS, turns: 3 } })
      assert.strictEqual(server.requests.length, 3)
      assert.strictEqual(trajectory.status, "budget_turns")
      assert.strictEqual(trajectory.usage.turns, 3)
      const lastResult = trajectory.messages.at(-1)!
      assert.strictEqual(lastResult.role, "tool")
      assert.include(lastResult.content, "[remaining budget: 0 of 3 turns")
    }))

  it.effect("budget_tokens: the context budget caps max_tokens, then ends the episode", () =>
    Effect.gen(function*() {
      const { trajectory, server } = yield* scripted([
        { kind: "reply", calls: [call("bash", { command: "true" })], promptTokens: 4_500, completionTokens: 100 },
        { kind: "reply", calls: [call("bash", { command: "true" })], promptTokens: 4_800, completionTokens: 300 },
        submit()
      ], { budgets: { ...BUDGETS, tokens: 5_000 } })
      assert.strictEqual(server.requests[0]!.body.max_tokens, 1_000)
      assert.strictEqual(server.requests[1]!.body.max_tokens, 400)
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(trajectory.status, "budget_tokens")
      assert.deepStrictEqual(
        { input: trajectory.usage.inputTokens, output: trajectory.usage.outputTokens },
        { input: 9_300, output: 400 }
      )
    }))

  it.effect("budget_time: a model turn that outlasts the episode ends it on time", () =>
    Effect.gen(function*() {
      const started = performance.now()
      const { trajectory } = yield* scripted([{ kind: "delay", ms: 20_000, then: submit() }], { budgets: { ...BUDGETS, seconds: 2 } })
      assert.strictEqual(trajectory.status, "budget_time")
      assert.isBelow(performance.now() - started, 15_000)
    }), { timeout: 60_000 })

  it.effect("budget_time: a tool call is cut to the episode's remaining time", () =>
    Effect.gen(function*() {
      const started = performance.now()
      const { trajectory } = yield* scripted([bash("sleep 60"), submit()], { budgets: { ...BUDGETS, seconds: 3 } })
      assert.strictEqual(trajectory.status, "budget_time")
      assert.isBelow(performance.now() - started, 20_000)
    }), { timeout: 60_000 })

  it.effect("toolTimeoutSeconds bounds each call; the model is told and goes on", () =>
    Effect.gen(function*() {
      const { trajectory, server } = yield* scripted([bash("sleep 30"), submit()], { budgets: { ...BUDGETS, toolTimeoutSeconds: 1 } })
      assert.include(lastToolResult(server.requests[1]!), "timed out after 1 s")
      assert.strictEqual(trajectory.status, "submitted")
    }), { timeout: 60_000 })

  it.effect("context_full: the server's context overflow ends the episode", () =>
    Effect.gen(function*() {
      const { trajectory } = yield* scripted([
        bash("true"),
        { kind: "error", status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.", type: "BadRequestError", param: null, code: 400 } } }
      ])
      assert.strictEqual(trajectory.status, "context_full")
      assert.strictEqual(trajectory.usage.turns, 1)
      const viaStopReason = yield* scripted([{ kind: "reply", content: "…", finish: "context_full" }], {}, "anthropic")
      assert.strictEqual(viaStopReason.trajectory.status, "context_full")
    }))

  it.effect("crash lane: an unreachable server is a PolicyError, and the trajectory so far was handed over", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const run = recorder()
      const model = makeOpenAiCompatModel({ baseURL: "http://127.0.0.1:9/v1", model: "m", retry: FAST_RETRY })
      const error = yield* Effect.flip(runEpisode(run.spec(sandbox)).pipe(Effect.provideService(LanguageModel, model)))
      assert.strictEqual(error._tag, "PolicyError")
      assert.isTrue(error.retryable)
      assert.strictEqual(run.steps.length, 1)
      assert.strictEqual(run.steps[0]!.status, "running")
      assert.deepStrictEqual(run.steps[0]!.messages.map((m) => m.role), ["system", "user"])
    }))
})
