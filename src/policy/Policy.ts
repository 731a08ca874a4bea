import { Context, type Effect, Schema } from "effect"
import type { BugArtifact } from "../domain/artifact.ts"
import type { GameConfig, Strategy } from "../domain/game.ts"
import type { Trajectory } from "../domain/trajectory.ts"
import type { PreparedEnv } from "../env/PreparedEnv.ts"
import type { Sandbox } from "../sandbox/Sandbox.ts"

/** The policy could not play (model server unreachable, protocol broken): infrastructure, not a verdict. */
export class PolicyError extends Schema.TaggedError<PolicyError>()("PolicyError", {
  message: Schema.String,
  retryable: Schema.Boolean,
  cause: Schema.optional(Schema.Defect())
}) {}

/** Called after every step so a crash never loses a trajectory (GAME.md: trajectories go to training). */
export type OnStep = (trajectory: Trajectory) => Effect.Effect<void>

export interface InjectRequest {
  /** A sandbox holding the original repository with its full git history. */
  readonly sandbox: Sandbox
  readonly env: PreparedEnv
  readonly game: GameConfig
  readonly strategy: Strategy
  readonly seed: number
  /** Optional steering towards files, against location bias (GAME.md §8). */
  readonly targetFiles?: ReadonlyArray<string> | undefined
  readonly onStep?: OnStep | undefined
}

export interface InjectResult {
  /** The submitted artifact as files; undefined when the episode ended without a submission. */
  readonly artifact: Omit<BugArtifact, "extraLayers"> | undefined
  readonly trajectory: Trajectory
}

export interface SolveRequest {
  /** The solver's task (GAME.md §5): the buggy, weakened repository with .git wiped and one fresh commit. */
  readonly sandbox: Sandbox
  /** The fixed task template around the reversed test weakening; the solver's only task description. */
  readonly prompt: string
  /** The reversed test_weaken.diff on its own (what the prompt shows). */
  readonly spec: string
  readonly env: PreparedEnv
  readonly game: GameConfig
  readonly seed: number
  readonly onStep?: OnStep | undefined
}

/** The solver's edits are read from its sandbox by the engine (pred_patch.diff), whatever the policy. */
export interface SolveResult {
  readonly trajectory: Trajectory
}

/**
 * The Policy port: one policy, one version, both roles (GAME.md §1). Backends: the procedural policy
 * (no model) and LLM policies (OpenAI-compatible servers, Anthropic).
 */
export class Policy extends Context.Service<Policy, {
  readonly name: string
  /** The policy's current version (a model checkpoint for LLM policies); tags every rollout. */
  readonly version: Effect.Effect<string, PolicyError>
  inject(request: InjectRequest): Effect.Effect<InjectResult, PolicyError>
  solve(request: SolveRequest): Effect.Effect<SolveResult, PolicyError>
}>()("ssr/Policy") {}
