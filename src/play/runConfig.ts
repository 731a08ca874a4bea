import * as z from "zod"
import { GameConfig } from "../domain/game.ts"

/** Everything needed to (re)start a run, stored in the bank so `ssr play --resume` needs only --out. */
export const RunConfig = z
  .object({
    schemaVersion: z.literal(1),
    repos: z.array(z.string()).min(1).describe("Profile files, played round-robin"),
    game: GameConfig,
    policy: z.object({
      kind: z.enum(["procedural", "openai", "anthropic"]),
      baseUrl: z.string().optional(),
      model: z.string().optional(),
      experienceUrl: z.string().optional(),
      policyServiceUrl: z.string().optional()
    }),
    rounds: z.int().min(1),
    seed: z.int(),
    sandbox: z.enum(["local", "docker"]),
    noCache: z.boolean().default(false)
  })
  .meta({ id: "RunConfig", title: "A play run's configuration (stored in the bank)" })
export type RunConfig = z.infer<typeof RunConfig>
