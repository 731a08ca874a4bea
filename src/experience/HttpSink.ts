import { Duration, Effect, Layer, Option, Queue } from "effect"
import type { ExperienceRecord } from "../domain/experience.ts"
import { ExperienceSink } from "./ExperienceSink.ts"
import { validateRecords } from "./records.ts"
import { backoff, type BackoffOptions, requestJson } from "./serviceHttp.ts"
import { makeSpool, type Spool } from "./Spool.ts"

/*
 * Protocol: POST <url>/experience with body { "records": ExperienceRecord[] } (JSON Schemas in schemas/).
 * Any 2xx acknowledges the whole batch. No response, timeouts, 408, 429 and 5xx are retried with capped
 * exponential backoff and jitter, for as long as the engine runs; other statuses reject the batch for good
 * (it moves to <spoolDir>/rejected/). Delivery is at least once: a batch whose acknowledgement was lost
 * (the service stored it, then the answer timed out) is sent again, so the service deduplicates by record
 * id. An acknowledged batch is deleted from the spool before anything else is sent, so it is never sent
 * again; batches left in the spool by a previous run are sent first when the sink starts.
 */

export interface HttpSinkOptions {
  /** The policy service's base URL, e.g. `http://trainer:9000`. */
  readonly url: string
  /** Where unacknowledged records wait (survives restarts; one directory per engine process). */
  readonly spoolDir: string
  /** Records per POST (default 64). */
  readonly batchSize?: number | undefined
  readonly requestTimeoutMs?: number | undefined
  readonly retry?: BackoffOptions | undefined
  /** How long flush waits for the spool to drain before returning (default 30 s). */
  readonly flushTimeoutMs?: number | undefined
  /** The spool is re-checked this often even without new records (default 5 s). */
  readonly pollInterval?: Duration.Input | undefined
}

const chunk = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const chunks: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/** Takes whole spool files, oldest first, until the batch holds at least `batchSize` records. */
const nextBatch = (spool: Spool, names: ReadonlyArray<string>, batchSize: number) =>
  Effect.gen(function*() {
    const files: Array<string> = []
    const records: Array<ExperienceRecord> = []
    for (const name of names) {
      if (records.length >= batchSize) break
      files.push(name)
      records.push(...(yield* spool.read(name)))
    }
    return { files, records }
  })

/**
 * Ships experience to the policy service. emit returns once the records are spooled to disk (fsynced), so
 * neither a crash nor a service outage loses them; a background fiber delivers the spool in order.
 */
export const experienceSinkHttp = (options: HttpSinkOptions): Layer.Layer<ExperienceSink> =>
  Layer.effect(ExperienceSink, Effect.gen(function*() {
    const spool = yield* makeSpool(options.spoolDir)
    const endpoint = `${options.url.replace(/\/+$/, "")}/experience`
    const batchSize = options.batchSize ?? 64
    const retry = backoff(options.retry ?? { baseDelay: "500 millis", maxDelay: "30 seconds" })
    const wake = yield* Queue.sliding<void>(1)

    const post = (records: ReadonlyArray<ExperienceRecord>) =>
      requestJson({ method: "POST", url: endpoint, body: { records }, timeoutMs: options.requestTimeoutMs ?? 30_000 }).pipe(
        Effect.tapError((e) => (e.retryable ? Effect.logWarning(`experience delivery will be retried: ${e.message}`) : Effect.void)),
        Effect.retry(retry)
      )

    const drain = Effect.gen(function*() {
      let names = yield* spool.pending
      while (names.length > 0) {
        const batch = yield* nextBatch(spool, names, batchSize)
        if (batch.records.length > 0) {
          const delivered = yield* Effect.result(post(batch.records))
          if (delivered._tag === "Failure") yield* spool.reject(batch.files, delivered.failure.message)
          else yield* spool.remove(batch.files)
        } else {
          yield* spool.remove(batch.files)
        }
        names = yield* spool.pending
      }
    })

    yield* drain.pipe(
      Effect.catchCause((cause) => Effect.logError("experience delivery failed; the spool is retried later", cause)),
      Effect.andThen(Effect.raceFirst(Queue.take(wake), Effect.sleep(options.pollInterval ?? "5 seconds"))),
      Effect.forever,
      Effect.forkScoped
    )
    yield* Queue.offer(wake, undefined)

    const emit = Effect.fn("ExperienceSink.http.emit")(function*(records: ReadonlyArray<ExperienceRecord>) {
      const valid = yield* validateRecords(records)
      for (const part of chunk(valid, batchSize)) yield* spool.put(part)
      yield* Queue.offer(wake, undefined)
    })

    const flush = Effect.gen(function*() {
      yield* Queue.offer(wake, undefined)
      const drained = yield* Effect.gen(function*() {
        while ((yield* spool.pending).length > 0) yield* Effect.sleep("50 millis")
      }).pipe(Effect.timeoutOption(Duration.millis(options.flushTimeoutMs ?? 30_000)))
      if (Option.isNone(drained)) {
        const left = (yield* spool.pending).length
        yield* Effect.logWarning(`experience: ${left} spooled batch(es) not yet delivered; they stay in ${options.spoolDir} and are sent on the next start`)
      }
    }).pipe(Effect.withSpan("ExperienceSink.http.flush"))

    return ExperienceSink.of({ emit, flush })
  }))
