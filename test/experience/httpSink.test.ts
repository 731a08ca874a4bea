import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { ExperienceRecord } from "../../src/domain/experience.ts"
import { ExperienceSink } from "../../src/experience/ExperienceSink.ts"
import { experienceSinkHttp, type HttpSinkOptions } from "../../src/experience/HttpSink.ts"
import { policyService } from "../support/policyService.ts"
import { bugRecord, episodeRecord } from "../support/records.ts"

const FAST = { baseDelay: "20 millis", maxDelay: "200 millis" } as const

const spoolDir = () => mkdtempSync(join(tmpdir(), "ssr-spool-"))
const spooled = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".jsonl"))

/** Runs `use` with an HTTP sink built for this scope only (closing it stops the sender, like a process exit). */
const withSink = <A, E>(options: HttpSinkOptions, use: (sink: ExperienceSink["Service"]) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    return yield* use(yield* ExperienceSink)
  }).pipe(Effect.provide(Layer.fresh(experienceSinkHttp(options))))

const ids = (records: ReadonlyArray<ExperienceRecord>) => records.map((r) => r.id).sort()

describe("HTTP experience sink", () => {
  it.live("records survive 5xx answers and timeouts, arrive later, and none is stored or acknowledged twice", () =>
    Effect.gen(function*() {
      const service = yield* policyService()
      service.behaviours.push({ kind: "status", status: 503 }, { kind: "status", status: 500 }, { kind: "slow", ms: 1_500 }, { kind: "status", status: 502 })
      const dir = spoolDir()
      const batches = [
        [episodeRecord("e1"), episodeRecord("e2")],
        [episodeRecord("e3"), bugRecord("b1")],
        [episodeRecord("e4")]
      ]
      yield* withSink({ url: service.url, spoolDir: dir, requestTimeoutMs: 300, retry: FAST, pollInterval: "100 millis", flushTimeoutMs: 20_000 }, (sink) =>
        Effect.gen(function*() {
          for (const batch of batches) yield* sink.emit(batch)
          yield* sink.flush
        }))
      const all = batches.flat()
      assert.deepStrictEqual([...service.stored.keys()].sort(), ids(all))
      assert.deepStrictEqual(service.invalid, [])
      assert.deepStrictEqual(service.resentAfterAck, [])
      assert.deepStrictEqual(spooled(dir), [])
      // The slow answer was lost, so its batch was sent again: at least once, deduplicated by id.
      assert.isAbove(service.posts.length, 4)
      assert.deepStrictEqual(service.stored.get("e1"), all[0])
    }))

  it.live("with the service down, emit still returns (spooled); after a restart the spool is sent, once", () =>
    Effect.gen(function*() {
      const service = yield* policyService({ fallback: { kind: "status", status: 503 } })
      const dir = spoolDir()
      const records = [episodeRecord("r1"), episodeRecord("r2"), bugRecord("r3")]
      yield* withSink({ url: service.url, spoolDir: dir, retry: FAST, pollInterval: "50 millis", flushTimeoutMs: 300 }, (sink) =>
        Effect.gen(function*() {
          yield* sink.emit(records.slice(0, 2))
          yield* sink.emit(records.slice(2))
          yield* sink.flush // bounded: returns with the spool still full
        }))
      assert.strictEqual(service.stored.size, 0)
      assert.strictEqual(spooled(dir).length, 2)
      assert.isAbove(service.posts.length, 0)

      service.fallback = { kind: "ok" }
      yield* withSink({ url: service.url, spoolDir: dir, retry: FAST, pollInterval: "50 millis" }, (sink) => sink.flush)
      assert.deepStrictEqual([...service.stored.keys()].sort(), ids(records))
      assert.deepStrictEqual(service.resentAfterAck, [])
      assert.deepStrictEqual(spooled(dir), [])

      // A third start has nothing left to send.
      const postsBefore = service.posts.length
      yield* withSink({ url: service.url, spoolDir: dir, retry: FAST }, (sink) => sink.flush)
      assert.strictEqual(service.posts.length, postsBefore)
    }))

  it.live("batches hold at most batchSize records, in emit order", () =>
    Effect.gen(function*() {
      const service = yield* policyService()
      const dir = spoolDir()
      const records = ["a", "b", "c", "d", "e"].map((id) => episodeRecord(id))
      yield* withSink({ url: service.url, spoolDir: dir, batchSize: 2, retry: FAST }, (sink) =>
        Effect.gen(function*() {
          yield* sink.emit(records)
          yield* sink.flush
        }))
      assert.deepStrictEqual(service.posts, [["a", "b"], ["c", "d"], ["e"]])
    }))

  it.live("a batch the service rejects for good (4xx) moves to rejected/ and does not block later records", () =>
    Effect.gen(function*() {
      const service = yield* policyService()
      service.behaviours.push({ kind: "status", status: 422 })
      const dir = spoolDir()
      yield* withSink({ url: service.url, spoolDir: dir, retry: FAST, pollInterval: "50 millis" }, (sink) =>
        Effect.gen(function*() {
          yield* sink.emit([episodeRecord("bad")])
          yield* sink.flush
          yield* sink.emit([episodeRecord("good")])
          yield* sink.flush
        }))
      assert.deepStrictEqual([...service.stored.keys()], ["good"])
      assert.strictEqual(readdirSync(join(dir, "rejected")).filter((n) => n.endsWith(".jsonl")).length, 1)
      assert.deepStrictEqual(spooled(dir), [])
    }))

  it.live("a record that does not match the schema is a defect, never sent", () =>
    Effect.gen(function*() {
      const service = yield* policyService()
      const dir = spoolDir()
      const broken = { ...episodeRecord("x"), reward: "high" } as unknown as ExperienceRecord
      const exit = yield* Effect.exit(withSink({ url: service.url, spoolDir: dir, retry: FAST }, (sink) => sink.emit([broken])))
      assert.strictEqual(exit._tag, "Failure")
      assert.deepStrictEqual(spooled(dir), [])
      assert.strictEqual(service.posts.length, 0)
    }))
})
