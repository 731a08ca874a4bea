import { Effect } from "effect"
import type { GameConfig, Strategy } from "../../domain/game.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { type OnStep, Policy } from "../../policy/Policy.ts"
import { SandboxProvider } from "../../sandbox/Sandbox.ts"

/**
 * One injector episode (GAME.md §1): the policy explores a sandbox holding the original repository with its
 * full history and submits a bug artifact (or nothing). The sandbox is released however the episode ends.
 */
export const injectBug = Effect.fn("injectBug")(function*(input: {
  readonly env: PreparedEnv
  readonly game: GameConfig
  readonly strategy: Strategy
  readonly seed: number
  readonly targetFiles?: ReadonlyArray<string> | undefined
  readonly onStep?: OnStep | undefined
}) {
  const policy = yield* Policy
  return yield* Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* (yield* SandboxProvider).acquire(input.env, { purpose: "inject" })
    return yield* policy.inject({ ...input, sandbox })
  }))
})
