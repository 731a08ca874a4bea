import { existsSync, promises as fs } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import * as z from "zod"
import { UsageError } from "../domain/errors.ts"
import { RepoProfile } from "../domain/profile.ts"

/** A decoded profile and the file it came from (relative source paths are resolved against its directory). */
export interface LoadedProfile {
  readonly profile: RepoProfile
  readonly file: string
}

/** The engine's own profiles directory (`repos/` at the project root). */
export const BUNDLED_PROFILES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../repos")

/**
 * `--repo` accepts a path to a profile file, or a bare name looked up as `./repos/<name>.json`, then in the
 * engine's own `repos/`.
 */
export const resolveProfilePath = (spec: string): string | undefined => {
  const candidates = spec.endsWith(".json") || spec.includes("/")
    ? [resolve(spec)]
    : [resolve("repos", `${spec}.json`), join(BUNDLED_PROFILES_DIR, `${spec}.json`)]
  return candidates.find((c) => existsSync(c))
}

export const decodeProfile = (value: unknown, file: string): Effect.Effect<RepoProfile, UsageError> => {
  const result = RepoProfile.safeParse(value)
  return result.success
    ? Effect.succeed(result.data)
    : Effect.fail(new UsageError({ message: `invalid repository profile ${file}:\n${z.prettifyError(result.error)}` }))
}

export const loadProfile = Effect.fn("loadProfile")(function*(spec: string) {
  const file = resolveProfilePath(spec)
  if (file === undefined) {
    return yield* new UsageError({
      message: `repository profile not found: ${spec} (give a path to a JSON file, or a name in ./repos or ${BUNDLED_PROFILES_DIR})`
    })
  }
  const text = yield* Effect.tryPromise({
    try: () => fs.readFile(file, "utf8"),
    catch: () => new UsageError({ message: `cannot read repository profile ${file}` })
  })
  const json = yield* Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) => new UsageError({ message: `repository profile ${file} is not JSON: ${(e as Error).message}` })
  })
  const profile = yield* decodeProfile(json, file)
  return { profile, file } satisfies LoadedProfile
})

/** Absolute path of a path written in a profile (relative to the profile file). */
export const profileRelative = (loaded: LoadedProfile, path: string): string =>
  isAbsolute(path) ? path : resolve(dirname(loaded.file), path)
