import { Effect } from "effect"
import type { Action, EpisodeStatus, Role, Trajectory } from "../../domain/trajectory.ts"
import type { OnStep } from "../Policy.ts"

export const PROCEDURAL_POLICY = { name: "procedural", version: "procedural-1" } as const

/**
 * Records a procedural episode as `actions` and hands the trajectory so far to `onStep` after every step, so a
 * crash mid-episode never loses what was done (Policy.OnStep contract).
 */
export interface EpisodeRecorder {
  step(action: string, detail?: Record<string, unknown>): Effect.Effect<void>
  finish(status: EpisodeStatus): Effect.Effect<Trajectory>
}

export const makeRecorder = (role: Role, seed: number, onStep: OnStep | undefined): EpisodeRecorder => {
  const started = performance.now()
  const actions: Array<Action> = []
  const snapshot = (status: EpisodeStatus): Trajectory => ({
    role,
    policy: { ...PROCEDURAL_POLICY },
    status,
    messages: [],
    actions: [...actions],
    usage: { turns: actions.length, inputTokens: 0, outputTokens: 0, wallMs: performance.now() - started },
    seed
  })
  return {
    step: (action, detail = {}) =>
      Effect.suspend(() => {
        actions.push({ at: Math.round(performance.now() - started), action, detail })
        // The episode is still running: "gave_up" is what it would be if it stopped here.
        return onStep === undefined ? Effect.void : onStep(snapshot("gave_up"))
      }),
    finish: (status) =>
      Effect.suspend(() => {
        const trajectory = snapshot(status)
        return (onStep === undefined ? Effect.void : onStep(trajectory)).pipe(Effect.as(trajectory))
      })
  }
}
