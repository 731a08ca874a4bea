import { Context, type Effect, Schema } from "effect"
import type { CheckResult } from "../domain/validation.ts"
import type { Band } from "../phases/score/rewards.ts"

export class BankError extends Schema.TaggedError<BankError>()("BankError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export interface RunRow {
  readonly id: string
  /** The full `ssr play` invocation (repos, game, policy, rounds, seed, sandbox) as JSON, for --resume. */
  readonly config: string
  readonly createdAt: string
}

export type RoundStatus = "started" | "injected" | "validated" | "solved" | "done"

export interface RoundRow {
  readonly runId: string
  readonly round: number
  readonly repo: string
  readonly strategy: string
  readonly seed: number
  readonly status: RoundStatus
  readonly bugId: string | null
}

export interface BugRow {
  readonly id: string
  readonly runId: string
  readonly repo: string
  readonly rev: string
  readonly strategy: string
  readonly policyName: string
  readonly policyVersion: string
  readonly seed: number
  readonly parent: string | null
  readonly order: number
  /** Directory holding the five files (+ layers, metadata.json, validation.json). */
  readonly dir: string
  readonly normalisedHash: string
  readonly createdAt: string
  /** null until validated (higher-order bugs inherit their parent's validity). */
  readonly valid: boolean | null
  readonly firstFailedCheck: string | null
  readonly checks: ReadonlyArray<CheckResult>
  /** F of the validation, the oracle tests the solver must fix; baseline ids reported by the original run. */
  readonly failingTests: ReadonlyArray<string>
  readonly baselineTests: ReadonlyArray<string>
  readonly duplicateOf: string | null
  readonly attempts: number
  readonly successes: number
  readonly solveRate: number | null
  readonly band: Band | null
  readonly injectorReward: number | null
}

export interface AttemptRow {
  readonly bugId: string
  readonly index: number
  readonly seed: number
  readonly policyVersion: string
  readonly success: boolean
  readonly reward: number
  /** The solver's patch (pred_patch.diff), outside the oracle test files. */
  readonly patch: string
  readonly failedTests: ReadonlyArray<string>
  readonly missingTests: ReadonlyArray<string>
  /** Hash of the judged code state (higher-order dedup); null when it could not be computed. */
  readonly stateHash: string | null
  readonly episodeId: string
  readonly createdAt: string
}

export interface EpisodeRow {
  readonly id: string
  readonly runId: string
  readonly round: number
  readonly role: "injector" | "solver"
  readonly bugId: string | null
  readonly groupId: string
  readonly policyVersion: string
  readonly reward: number | null
  readonly status: string
  readonly trajectoryPath: string
  readonly emitted: boolean
  readonly createdAt: string
}

export interface BugQuery {
  readonly runId?: string | undefined
  readonly repo?: string | undefined
  readonly strategy?: string | undefined
  readonly order?: number | undefined
  readonly band?: Band | undefined
  readonly valid?: boolean | undefined
  /** Solve-rate band: [min, max] inclusive. */
  readonly solveRate?: readonly [number, number] | undefined
}

/**
 * The curriculum bank (GAME.md §8): every bug with provenance, validation, solve attempts and episodes.
 * Every write is durable when it returns (a `kill -9` loses nothing written); writes are idempotent by key,
 * so a resumed run may repeat a write without duplicating anything.
 */
export class BugBank extends Context.Service<BugBank, {
  readonly location: string
  putRun(run: RunRow): Effect.Effect<void, BankError>
  getRun(id: string): Effect.Effect<RunRow | undefined, BankError>
  latestRun: Effect.Effect<RunRow | undefined, BankError>
  putRound(round: RoundRow): Effect.Effect<void, BankError>
  rounds(runId: string): Effect.Effect<ReadonlyArray<RoundRow>, BankError>
  putBug(bug: BugRow): Effect.Effect<void, BankError>
  getBug(id: string): Effect.Effect<BugRow | undefined, BankError>
  /** The first valid, non-duplicate bug with this code-state hash (the dedup key of GAME.md §8). */
  findByHash(normalisedHash: string): Effect.Effect<BugRow | undefined, BankError>
  queryBugs(query: BugQuery): Effect.Effect<ReadonlyArray<BugRow>, BankError>
  putAttempt(attempt: AttemptRow): Effect.Effect<void, BankError>
  attempts(bugId: string): Effect.Effect<ReadonlyArray<AttemptRow>, BankError>
  putEpisode(episode: EpisodeRow): Effect.Effect<void, BankError>
  episodes(runId: string): Effect.Effect<ReadonlyArray<EpisodeRow>, BankError>
  markEmitted(episodeIds: ReadonlyArray<string>): Effect.Effect<void, BankError>
}>()("ssr/BugBank") {}
