import { Effect, Layer } from "effect"
import { readArtifactDir } from "../../src/artifacts/artifactDir.ts"
import { DEFAULT_THRESHOLDS } from "../../src/domain/validation.ts"
import { Environments } from "../../src/env/Environments.ts"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { loadProfile } from "../../src/env/profiles.ts"
import { BaselineCache } from "../../src/execution/BaselineCache.ts"
import { DEFAULT_RUN_LIMITS, type RunLimits } from "../../src/execution/testRun.ts"
import { validateArtifact } from "../../src/phases/validate/index.ts"
import { SandboxLocal } from "../../src/sandbox/local/SandboxLocal.ts"
import type { SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { profilePath } from "./corpus.ts"

/** Real environments, a real sandbox backend, and a baseline cache in the test SSR_HOME. */
export const engineLayerWith = <E>(sandbox: Layer.Layer<SandboxProvider, E>, cache = BaselineCache.layerFiles) =>
  Layer.mergeAll(Environments.layer, sandbox, cache)

export const localEngine = engineLayerWith(SandboxLocal.layer)

export const prepareProfile = (profile: string) =>
  Effect.gen(function*() {
    const loaded = yield* loadProfile(profilePath(profile))
    return yield* (yield* Environments).prepare(loaded)
  })

/** Short timeouts keep hostile artifacts (endless scripts) cheap; real suites here finish in seconds. */
export const TEST_LIMITS: RunLimits = { ...DEFAULT_RUN_LIMITS, scriptTimeoutMs: 60_000, maxOutputBytes: 8 * 1024 * 1024 }

export const auditDir = (env: PreparedEnv, dir: string, limits: RunLimits = TEST_LIMITS, concurrency = 2) =>
  Effect.gen(function*() {
    const { artifact } = yield* readArtifactDir(dir)
    return yield* validateArtifact({ artifact, artifactPath: dir, env, thresholds: DEFAULT_THRESHOLDS, limits, concurrency })
  })
