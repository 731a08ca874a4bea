import { createHash } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"
import * as z from "zod"
import { ssrHome } from "../env/Environments.ts"
import type { ScriptOutput } from "./testRun.ts"

const CachedBaseline = z.object({
  version: z.literal(1),
  runs: z.array(z.object({
    output: z.string(),
    outputBytes: z.int(),
    outputCapped: z.boolean(),
    exitCode: z.int().nullable(),
    timedOut: z.boolean(),
    ms: z.number()
  })).min(1)
})

export const scriptHash = (script: string): string => createHash("sha256").update(script).digest("hex").slice(0, 24)

/**
 * Clean-baseline outputs per (prepared env, test_script.sh hash): the original code and the script fully
 * determine them, so a repository's baseline runs once however many artifacts share a script. Only runs that
 * completed (no timeout, no cap) are stored; a damaged entry reads as a miss.
 */
export class BaselineCache extends Context.Service<BaselineCache, {
  get(envKey: string, script: string): Effect.Effect<ReadonlyArray<ScriptOutput> | undefined>
  put(envKey: string, script: string, runs: ReadonlyArray<ScriptOutput>): Effect.Effect<void>
}>()("ssr/BaselineCache") {
  static readonly layerFiles = Layer.sync(BaselineCache, () => {
    const fileOf = (envKey: string, script: string) => join(ssrHome(), "baselines", envKey, `${scriptHash(script)}.json`)
    return BaselineCache.of({
      get: (envKey, script) =>
        Effect.promise(async () => {
          const text = await fs.readFile(fileOf(envKey, script), "utf8").catch(() => undefined)
          if (text === undefined) return undefined
          try {
            const parsed = CachedBaseline.safeParse(JSON.parse(text))
            return parsed.success ? parsed.data.runs : undefined
          } catch {
            return undefined
          }
        }),
      put: (envKey, script, runs) =>
        Effect.tryPromise(async () => {
          if (runs.some((r) => r.timedOut || r.outputCapped)) return
          const file = fileOf(envKey, script)
          await fs.mkdir(join(file, ".."), { recursive: true })
          const tmp = `${file}.${process.pid}.tmp`
          await fs.writeFile(tmp, JSON.stringify({ version: 1, runs }))
          await fs.rename(tmp, file)
        }).pipe(Effect.ignore)
    })
  })

  static readonly layerDisabled = Layer.succeed(BaselineCache, BaselineCache.of({
    get: () => Effect.succeed(undefined),
    put: () => Effect.void
  }))
}
