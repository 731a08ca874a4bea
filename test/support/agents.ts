import { Effect, Layer, type Scope } from "effect"
import { resolveCall } from "../../src/agents/loop.ts"
import type { AgentTool } from "../../src/agents/tools/Tool.ts"
import { GameConfig, type GameConfigInput } from "../../src/domain/game.ts"
import type { ToolCall } from "../../src/domain/trajectory.ts"
import { Environments } from "../../src/env/Environments.ts"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { SandboxLocal } from "../../src/sandbox/local/SandboxLocal.ts"
import { type Sandbox, SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { prepareProfile } from "./engine.ts"

/** Real environments and real Local sandboxes, as the engine's own tests use them. */
export const sandboxLayer = Layer.mergeAll(Environments.layer, SandboxLocal.layer)

/** A fresh sandbox of a fixture profile (js-fixture: textkit with node:test) for the current scope. */
export const fixtureSandbox = (profile = "js-fixture"): Effect.Effect<{ sandbox: Sandbox; env: PreparedEnv }, unknown, Environments | SandboxProvider | Scope.Scope> =>
  Effect.gen(function*() {
    const env = yield* prepareProfile(profile)
    const sandbox = yield* (yield* SandboxProvider).acquire(env)
    return { sandbox, env }
  })

export const testGame = (overrides: Partial<GameConfigInput> = {}): GameConfig =>
  GameConfig.parse({ name: "agents-test", strategies: { removal: 1, history: 1, direct: 0 }, ...overrides })

/** Validates the arguments like the agent loop does, then runs the tool; fails the test on bad arguments. */
export const runTool = (tool: AgentTool, args: unknown, sandbox: Sandbox, limits: { timeoutMs?: number; maxObservationChars?: number } = {}) =>
  Effect.gen(function*() {
    const call: ToolCall = { id: "t", name: tool.spec.name, arguments: JSON.stringify(args) }
    const resolved = resolveCall(call, [tool])
    if (!resolved.ok) return yield* Effect.die(new Error(resolved.error))
    const outcome = yield* resolved.tool.run(resolved.args, { sandbox, timeoutMs: limits.timeoutMs ?? 30_000, maxObservationChars: limits.maxObservationChars ?? 16_000 })
    if (outcome.kind !== "observe") return yield* Effect.die(new Error("expected an observation"))
    return outcome
  })

export const readText = (sandbox: Sandbox, path: string) =>
  sandbox.readFile(path).pipe(Effect.map((bytes) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))))
