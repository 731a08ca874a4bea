import { Effect, Layer, Option } from "effect"
import type { ExperienceRecord } from "../domain/experience.ts"
import type { GameConfig } from "../domain/game.ts"
import { ExperienceSink } from "./ExperienceSink.ts"
import { PolicyVersion } from "./PolicyVersion.ts"
import { applyStaleness } from "./staleness.ts"

/** How long emit waits for the current version before falling back to the last one read. */
const VERSION_READ_TIMEOUT = "5 seconds"

/**
 * Wraps a sink so that episode records are checked against the policy's current version at emit time
 * (rule in staleness.ts): stale episodes are dropped or marked, per game.staleness. When the version cannot
 * be read, the last known version is used; with none known, records pass unchanged.
 */
export const withStaleness = (staleness: GameConfig["staleness"]) =>
<E, R>(sink: Layer.Layer<ExperienceSink, E, R>): Layer.Layer<ExperienceSink, E, R | PolicyVersion> =>
  Layer.effect(ExperienceSink, Effect.gen(function*() {
    const inner = yield* ExperienceSink
    const versions = yield* PolicyVersion
    const currentVersion = versions.current.pipe(
      Effect.timeoutOption(VERSION_READ_TIMEOUT),
      Effect.map(Option.getOrUndefined),
      Effect.catch(() => Effect.succeed(undefined)),
      Effect.flatMap((version) => (version === undefined ? versions.lastKnown : Effect.succeed(version)))
    )
    const emit = Effect.fn("ExperienceSink.staleness.emit")(function*(records: ReadonlyArray<ExperienceRecord>) {
      const current = yield* currentVersion
      const { kept, dropped } = applyStaleness(records, current, staleness)
      if (dropped.length > 0) {
        yield* Effect.logInfo(`dropped ${dropped.length} stale episode(s) (more than ${staleness.maxVersions} versions behind ${current})`)
      }
      if (kept.length > 0) yield* inner.emit(kept)
    })
    return ExperienceSink.of({ emit, flush: inner.flush })
  })).pipe(Layer.provide(sink))
