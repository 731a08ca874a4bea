import { Clock, Duration, Effect, Option } from "effect"
import * as z from "zod"
import type { EpisodeStatus, Message, Role, ToolCall, Trajectory } from "../domain/trajectory.ts"
import { type AssistantTurn, LanguageModel, type Sampling } from "../llm/LanguageModel.ts"
import type { OnStep, PolicyError } from "../policy/Policy.ts"
import type { Sandbox } from "../sandbox/Sandbox.ts"
import { budgetNotice, type EpisodeBudgets, exhausted, remainingMs, type Spent } from "./budget.ts"
import type { AgentTool, ToolOutcome } from "./tools/Tool.ts"

/*
 * The agent loop. Every failure goes to one of three lanes:
 *   observe — unknown tool, malformed or invalid arguments, a reply without a tool call, a failing command,
 *             no match: the model is told (a tool result or a user message) and the episode goes on;
 *   exit    — submit, a used-up budget (turns, tokens, wall time), the server's context overflow, or (with
 *             game.strictFormat) a malformed call: the episode ends with that EpisodeStatus;
 *   crash   — infrastructure (model server unreachable after retries, sandbox broken): PolicyError.
 * The trajectory goes to onStep after every step (one model turn and its tool results), at the end, and
 * before a crash propagates.
 */

export interface EpisodeSpec {
  readonly role: Role
  readonly policy: { readonly name: string; readonly version: string }
  readonly system: string
  readonly task: string
  readonly tools: ReadonlyArray<AgentTool>
  readonly sandbox: Sandbox
  readonly budgets: EpisodeBudgets
  readonly sampling: Sampling
  /** game.strictFormat: end on a malformed call (format_error) instead of telling the model. */
  readonly strictFormat: boolean
  readonly seed: number
  /** Per turn; also capped by what is left of the token budget. */
  readonly maxOutputTokens: number
  readonly maxObservationChars: number
  readonly onStep?: OnStep | undefined
}

type ResolvedCall = { readonly ok: true; readonly tool: AgentTool; readonly args: unknown } | { readonly ok: false; readonly error: string }

const NO_TOOL_CALL =
  "Your reply contained no tool call. Work through the tools (bash, editor), one step at a time, and call submit when you are done."

/** Validates one call against the declared tools; the error text is what the model reads. */
export const resolveCall = (call: ToolCall, tools: ReadonlyArray<AgentTool>): ResolvedCall => {
  const tool = tools.find((t) => t.spec.name === call.name)
  if (tool === undefined) {
    return { ok: false, error: `Unknown tool "${call.name}". The available tools are: ${tools.map((t) => t.spec.name).join(", ")}.` }
  }
  let raw: unknown = {}
  if (call.arguments.trim().length > 0) {
    try {
      raw = JSON.parse(call.arguments)
    } catch (e) {
      return { ok: false, error: `The arguments of your ${call.name} call are not valid JSON (${(e as Error).message}). Send one JSON object that matches the tool's schema.` }
    }
  }
  const parsed = tool.spec.input.safeParse(raw)
  if (!parsed.success) return { ok: false, error: `Invalid arguments for ${call.name}:\n${z.prettifyError(parsed.error)}` }
  return { ok: true, tool, args: parsed.data }
}

const assistantMessage = (turn: AssistantTurn): Message => ({
  role: "assistant",
  content: turn.content,
  toolCalls: [...turn.toolCalls],
  usage: { inputTokens: turn.usage.inputTokens, outputTokens: turn.usage.outputTokens },
  ...(turn.tokens === undefined ? {} : { tokens: turn.tokens })
})

/** Runs one agent episode to its exit status; fails only in the crash lane. */
export const runEpisode = Effect.fn("runEpisode")(function*(spec: EpisodeSpec) {
  const model = yield* LanguageModel
  const started = yield* Clock.currentTimeMillis
  const messages: Array<Message> = [{ role: "system", content: spec.system }, { role: "user", content: spec.task }]
  let turns = 0
  let inputTokens = 0
  let outputTokens = 0
  let contextTokens = 0

  const spent = Effect.map(Clock.currentTimeMillis, (now): Spent => ({ turns, contextTokens, elapsedMs: now - started }))
  const snapshot = (status: EpisodeStatus, elapsedMs: number): Trajectory => ({
    role: spec.role,
    policy: { ...spec.policy },
    status,
    messages: [...messages],
    actions: [],
    usage: { turns, inputTokens, outputTokens, wallMs: elapsedMs },
    seed: spec.seed
  })
  const report = (status: EpisodeStatus) =>
    Effect.gen(function*() {
      const trajectory = snapshot(status, (yield* spent).elapsedMs)
      if (spec.onStep !== undefined) yield* spec.onStep(trajectory)
      return trajectory
    })
  const withNotice = (text: string) => Effect.map(spent, (s) => `${text}\n\n${budgetNotice(spec.budgets, s)}`)

  const runCall = Effect.fnUntraced(function*(call: ToolCall): Effect.fn.Return<ToolOutcome | "format_error" | "budget_time", PolicyError> {
    const resolved = resolveCall(call, spec.tools)
    if (!resolved.ok) {
      messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: yield* withNotice(resolved.error), isError: true })
      return spec.strictFormat ? "format_error" : { kind: "observe", output: resolved.error, isError: true }
    }
    const left = remainingMs(spec.budgets, yield* spent)
    if (left <= 0) return "budget_time"
    const outcome = yield* resolved.tool.run(resolved.args, {
      sandbox: spec.sandbox,
      timeoutMs: Math.max(1, Math.min(spec.budgets.toolTimeoutSeconds * 1000, left)),
      maxObservationChars: spec.maxObservationChars
    })
    const content = outcome.kind === "submit" ? outcome.output : yield* withNotice(outcome.output)
    messages.push({ role: "tool", toolCallId: call.id, name: call.name, content, isError: outcome.kind === "observe" && outcome.isError })
    return outcome
  })

  const loop = Effect.gen(function*() {
    while (true) {
      const before = yield* spent
      const budgetExit = exhausted(spec.budgets, before)
      if (budgetExit !== undefined) return yield* report(budgetExit)
      const reply = yield* model.chat({
        messages,
        tools: spec.tools.map((t) => t.spec),
        maxOutputTokens: Math.max(1, Math.min(spec.maxOutputTokens, spec.budgets.tokens - contextTokens)),
        sampling: spec.sampling,
        seed: spec.seed + turns
      }).pipe(
        Effect.map((turn) => ({ _tag: "turn" as const, turn })),
        Effect.catchTag("ContextWindowExceeded", () => Effect.succeed({ _tag: "context_full" as const })),
        Effect.timeoutOption(Duration.millis(remainingMs(spec.budgets, before)))
      )
      if (Option.isNone(reply)) return yield* report("budget_time")
      if (reply.value._tag === "context_full") return yield* report("context_full")
      const turn = reply.value.turn
      turns += 1
      inputTokens += turn.usage.inputTokens
      outputTokens += turn.usage.outputTokens
      contextTokens = turn.usage.inputTokens + turn.usage.outputTokens
      messages.push(assistantMessage(turn))
      if (turn.finish === "context_full") return yield* report("context_full")

      if (turn.toolCalls.length === 0) {
        if (spec.strictFormat) return yield* report("format_error")
        messages.push({ role: "user", content: yield* withNotice(NO_TOOL_CALL) })
      }
      for (const call of turn.toolCalls) {
        const outcome = yield* runCall(call)
        if (outcome === "format_error" || outcome === "budget_time") return yield* report(outcome)
        if (outcome.kind === "submit") return yield* report("submitted")
      }
      yield* report("running")
    }
  })
  // A crash still hands over everything seen so far.
  return yield* loop.pipe(Effect.tapError(() => report("running")))
})
