import * as z from "zod"
import { EpisodeStatus, Message, Role } from "./trajectory.ts"

/**
 * What the engine ships to the policy service (GAME.md §1, §9): one record per episode (a rollout with its
 * reward) and one per new bug task (higher-order bugs the trainer may schedule). Python trainers read these
 * through the JSON Schemas generated into schemas/.
 */
export const EpisodeRecord = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal("episode"),
    id: z.string().describe("Unique, stable id: records are delivered at least once and deduplicated by id"),
    runId: z.string(),
    role: Role,
    groupId: z.string().describe("Groups the G solver attempts on one bug (GRPO group); the bug id + order for injectors"),
    bugId: z.string().nullable().describe("null for an injection that produced no valid bug"),
    repo: z.string(),
    policyVersion: z.string(),
    stale: z.boolean().describe("More than max_staleness versions behind the policy's current version at emit time"),
    reward: z.number(),
    status: EpisodeStatus,
    messages: z.array(Message).describe("Full conversation; assistant turns carry token ids and logprobs when the server returned them"),
    createdAt: z.string()
  })
  .meta({ id: "EpisodeRecord", title: "Experience record: one episode with its reward" })
export type EpisodeRecord = z.infer<typeof EpisodeRecord>

export const BugTaskRecord = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal("bug"),
    id: z.string(),
    runId: z.string(),
    repo: z.string(),
    rev: z.string(),
    order: z.int().min(1),
    parent: z.string().nullable(),
    strategy: z.string(),
    policyVersion: z.string(),
    files: z.object({
      testScript: z.string(),
      testFiles: z.array(z.string()),
      testParser: z.string(),
      bugInjectDiff: z.string(),
      testWeakenDiff: z.string(),
      extraLayers: z.array(z.string()).describe("Failed solver patches stacked on the bug (higher-order)")
    }),
    solveRate: z.number().min(0).max(1).nullable(),
    createdAt: z.string()
  })
  .meta({ id: "BugTaskRecord", title: "Experience record: a bug task (e.g. a higher-order bug)" })
export type BugTaskRecord = z.infer<typeof BugTaskRecord>

export const ExperienceRecord = z.discriminatedUnion("kind", [EpisodeRecord, BugTaskRecord]).meta({ id: "ExperienceRecord" })
export type ExperienceRecord = z.infer<typeof ExperienceRecord>
