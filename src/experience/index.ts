import { join } from "node:path"
import { Layer } from "effect"
import type { GameConfig } from "../domain/game.ts"
import type { ExperienceSink } from "./ExperienceSink.ts"
import { experienceSinkHttp } from "./HttpSink.ts"
import { experienceSinkJsonl } from "./JsonlSink.ts"
import { type PolicyVersion, policyVersionFixed, policyVersionHttp } from "./PolicyVersion.ts"
import { withStaleness } from "./staleGuard.ts"

export { ExperienceSink } from "./ExperienceSink.ts"
export { experienceSinkHttp, type HttpSinkOptions } from "./HttpSink.ts"
export { experienceSinkJsonl, JSONL_FILES, type JsonlSinkOptions } from "./JsonlSink.ts"
export { PolicyVersion, policyVersionFixed, policyVersionHttp, type PolicyVersionHttpOptions } from "./PolicyVersion.ts"
export { withStaleness } from "./staleGuard.ts"
export { applyStaleness, isStale, versionOrdinal, versionsBehind } from "./staleness.ts"

export interface ExperienceOptions {
  /** The run's experience directory: JSONL files without a service, the spool with one. */
  readonly dir: string
  /** The policy service's base URL. Without it the version is fixed and experience goes to JSONL files. */
  readonly serviceUrl?: string | undefined
  /** The version without a service (default "0"). */
  readonly fixedVersion?: string | undefined
  readonly staleness: GameConfig["staleness"]
}

/**
 * PolicyVersion and a staleness-guarded ExperienceSink for a play run: with a policy service, the version is
 * read from it and records are POSTed (spooled in `<dir>/spool`); without one, a fixed version and
 * `<dir>/episodes.jsonl` + `<dir>/bugs.jsonl`.
 */
export const experienceLayers = (options: ExperienceOptions): Layer.Layer<ExperienceSink | PolicyVersion> => {
  const versions = options.serviceUrl === undefined
    ? policyVersionFixed(options.fixedVersion ?? "0")
    : policyVersionHttp({ url: options.serviceUrl })
  const sink = options.serviceUrl === undefined
    ? experienceSinkJsonl({ dir: options.dir })
    : experienceSinkHttp({ url: options.serviceUrl, spoolDir: join(options.dir, "spool") })
  return withStaleness(options.staleness)(sink).pipe(Layer.provideMerge(versions))
}
