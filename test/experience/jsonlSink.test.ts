import { appendFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ExperienceRecord } from "../../src/domain/experience.ts"
import { ExperienceSink } from "../../src/experience/ExperienceSink.ts"
import { experienceSinkJsonl, JSONL_FILES } from "../../src/experience/JsonlSink.ts"
import { bugRecord, episodeRecord } from "../support/records.ts"

const withSink = <A, E>(dir: string, use: (sink: ExperienceSink["Service"]) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    return yield* use(yield* ExperienceSink)
  }).pipe(Effect.provide(Layer.fresh(experienceSinkJsonl({ dir }))))

/** Every line must be a complete, schema-valid record. */
const readRecords = (dir: string, name: string): Array<ExperienceRecord> => {
  const text = readFileSync(join(dir, name), "utf8")
  assert.isTrue(text.endsWith("\n"))
  return text.trimEnd().split("\n").map((line) => ExperienceRecord.parse(JSON.parse(line)))
}

describe("JSONL experience sink", () => {
  it.effect("one file per kind, appended across emits and restarts", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-jsonl-"))
      yield* withSink(dir, (sink) => sink.emit([episodeRecord("e1"), bugRecord("b1"), episodeRecord("e2")]))
      yield* withSink(dir, (sink) => sink.emit([episodeRecord("e3")]))
      assert.deepStrictEqual(readRecords(dir, JSONL_FILES.episode).map((r) => r.id), ["e1", "e2", "e3"])
      assert.deepStrictEqual(readRecords(dir, JSONL_FILES.bug).map((r) => r.id), ["b1"])
      assert.deepStrictEqual(readRecords(dir, JSONL_FILES.episode)[0], episodeRecord("e1"))
    }))

  it.effect("a line cut short by a crash is dropped on start; later records append cleanly", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-jsonl-"))
      yield* withSink(dir, (sink) => sink.emit([episodeRecord("kept")]))
      appendFileSync(join(dir, JSONL_FILES.episode), JSON.stringify(episodeRecord("torn")).slice(0, 40))
      yield* withSink(dir, (sink) => sink.emit([episodeRecord("after")]))
      assert.deepStrictEqual(readRecords(dir, JSONL_FILES.episode).map((r) => r.id), ["kept", "after"])
    }))

  it.effect("concurrent emits never interleave lines", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-jsonl-"))
      const batches = Array.from({ length: 20 }, (_, i) => [episodeRecord(`c${i}a`), episodeRecord(`c${i}b`)])
      yield* withSink(dir, (sink) => Effect.forEach(batches, (b) => sink.emit(b), { concurrency: "unbounded" }))
      const lines = readRecords(dir, JSONL_FILES.episode).map((r) => r.id)
      assert.strictEqual(lines.length, 40)
      for (let i = 0; i < 20; i++) assert.strictEqual(lines.indexOf(`c${i}b`), lines.indexOf(`c${i}a`) + 1)
    }))

  it.effect("an invalid record is a defect and nothing of its batch is written", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-jsonl-"))
      const broken = { ...episodeRecord("bad"), status: "exploded" } as unknown as ExperienceRecord
      const exit = yield* Effect.exit(withSink(dir, (sink) => sink.emit([episodeRecord("fine"), broken])))
      assert.strictEqual(exit._tag, "Failure")
      assert.throws(() => readFileSync(join(dir, JSONL_FILES.episode)))
    }))
})
