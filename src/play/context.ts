import type { Effect } from "effect"
import type { HostIoError } from "../domain/errors.ts"
import type { GameConfig } from "../domain/game.ts"
import type { PreparedEnv } from "../env/PreparedEnv.ts"
import type { RunLimits } from "../execution/testRun.ts"

/** Progress of a run, for the progress bar and logs. */
export type PlayEvent =
  | { readonly kind: "round-start"; readonly round: number; readonly repo: string; readonly strategy: string }
  | { readonly kind: "injected"; readonly round: number }
  | { readonly kind: "validated"; readonly round: number }
  | { readonly kind: "attempt"; readonly round: number; readonly bugId: string; readonly index: number; readonly success: boolean }
  | {
    readonly kind: "round-done"
    readonly round: number
    readonly valid: boolean
    readonly reason: string
    readonly solveRate: number | null
    readonly reward: number | null
  }

/** What every step of a run shares. */
export interface PlayContext {
  readonly runId: string
  readonly outDir: string
  readonly game: GameConfig
  /** Prepared environments by profile name. */
  readonly envs: ReadonlyMap<string, PreparedEnv>
  readonly limits: RunLimits
  readonly onEvent: (event: PlayEvent) => Effect.Effect<void>
  readonly writeJson: (file: string, value: unknown) => Effect.Effect<void, HostIoError>
}
