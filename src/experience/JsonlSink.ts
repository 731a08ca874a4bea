import { promises as fs } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, Semaphore } from "effect"
import type { ExperienceRecord } from "../domain/experience.ts"
import { ExperienceSink } from "./ExperienceSink.ts"
import { appendDurable, truncatePartialLine } from "./durable.ts"
import { toJsonLines, validateRecords } from "./records.ts"

/** One JSONL file per record kind, in the sink's directory. */
export const JSONL_FILES: Readonly<Record<ExperienceRecord["kind"], string>> = {
  episode: "episodes.jsonl",
  bug: "bugs.jsonl"
}

export interface JsonlSinkOptions {
  readonly dir: string
}

/**
 * The default sink: appends records to `<dir>/episodes.jsonl` and `<dir>/bugs.jsonl`, fsynced before emit
 * returns. Crash-safe: on start, a trailing line cut short by a crash is removed (it was never acknowledged).
 * Several processes must not share one directory.
 */
export const experienceSinkJsonl = (options: JsonlSinkOptions): Layer.Layer<ExperienceSink> =>
  Layer.effect(ExperienceSink, Effect.gen(function*() {
    yield* Effect.promise(async () => {
      await fs.mkdir(options.dir, { recursive: true })
      for (const name of Object.values(JSONL_FILES)) await truncatePartialLine(join(options.dir, name))
    })
    const writing = yield* Semaphore.make(1)
    const emit = Effect.fn("ExperienceSink.jsonl.emit")(function*(records: ReadonlyArray<ExperienceRecord>) {
      const valid = yield* validateRecords(records)
      yield* writing.withPermits(1)(Effect.promise(async () => {
        for (const [kind, name] of Object.entries(JSONL_FILES)) {
          const ofKind = valid.filter((r) => r.kind === kind)
          if (ofKind.length > 0) await appendDurable(join(options.dir, name), toJsonLines(ofKind))
        }
      }))
    })
    return ExperienceSink.of({ emit, flush: Effect.void })
  }))
