import * as z from "zod"
import { Thresholds } from "./validation.ts"

export const STRATEGIES = ["removal", "history", "direct"] as const
export const Strategy = z.enum(STRATEGIES)
export type Strategy = z.infer<typeof Strategy>

/** A game configuration (games/*.json): the rules' parameters for one kind of self-play run. */
export const GameConfig = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    strategies: z
      .partialRecord(Strategy, z.number().min(0))
      .refine((weights) => Object.values(weights).some((w) => w > 0), "at least one strategy needs a positive weight")
      .describe("Sampling weight of each injection strategy, drawn per injection"),
    alpha: z.number().min(0).max(1).default(0.8).describe("Injector reward parameter α of Eq. 1"),
    groupSize: z.int().min(1).default(8).describe("G: solver attempts per bug"),
    thresholds: Thresholds.default(Thresholds.parse({})),
    maxOrder: z.int().min(1).default(2).describe("Highest bug order kept (1 = no higher-order bugs)"),
    higherOrderPerBug: z.int().min(0).default(2).describe("At most this many failed attempts of one bug become higher-order bugs"),
    budgets: z
      .object({
        injectionAttempts: z.int().min(1).default(6).describe("Candidate bugs the procedural injector may try"),
        solverCandidates: z.int().min(1).default(8).describe("Repairs the procedural solver may try per attempt"),
        scriptTimeoutSeconds: z.number().positive().default(90).describe("One run of test_script.sh"),
        agentTurns: z.int().min(1).default(128),
        agentTokens: z.int().min(1).default(131_072),
        toolTimeoutSeconds: z.number().positive().default(120),
        episodeSeconds: z.number().positive().default(2400)
      })
      .default({
        injectionAttempts: 6,
        solverCandidates: 8,
        scriptTimeoutSeconds: 90,
        agentTurns: 128,
        agentTokens: 131_072,
        toolTimeoutSeconds: 120,
        episodeSeconds: 2400
      }),
    concurrency: z
      .object({
        sandboxes: z.int().min(1).default(2).describe("Validation runs at once"),
        solvers: z.int().min(1).default(2).describe("Solver attempts at once, each in its own sandbox")
      })
      .default({ sandboxes: 2, solvers: 2 }),
    sampling: z
      .object({ temperature: z.number().min(0).default(1.0), topP: z.number().min(0).max(1).default(0.95) })
      .default({ temperature: 1.0, topP: 0.95 })
      .describe("LLM sampling (GAME.md §9)"),
    staleness: z
      .object({
        maxVersions: z.int().min(0).default(8).describe("Rollouts more than this many policy versions old are stale"),
        action: z.enum(["drop", "mark"]).default("drop")
      })
      .default({ maxVersions: 8, action: "drop" }),
    strictFormat: z.boolean().default(false).describe("End an agent episode on a malformed tool call instead of telling the model")
  })
  .meta({ id: "GameConfig", title: "Game configuration (games/*.json)" })
export type GameConfig = z.infer<typeof GameConfig>
export type GameConfigInput = z.input<typeof GameConfig>
