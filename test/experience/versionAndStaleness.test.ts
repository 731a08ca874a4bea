import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ExperienceRecord } from "../../src/domain/experience.ts"
import { ExperienceSink } from "../../src/experience/ExperienceSink.ts"
import { experienceSinkJsonl, JSONL_FILES } from "../../src/experience/JsonlSink.ts"
import { PolicyVersion, policyVersionFixed, policyVersionHttp } from "../../src/experience/PolicyVersion.ts"
import { withStaleness } from "../../src/experience/index.ts"
import { isStale, versionOrdinal, versionsBehind } from "../../src/experience/staleness.ts"
import { policyService } from "../support/policyService.ts"
import { bugRecord, episodeRecord } from "../support/records.ts"

const FAST = { baseDelay: "10 millis", maxDelay: "50 millis", maxRetries: 2 } as const

const readIds = (dir: string, name: string) =>
  readFileSync(join(dir, name), "utf8").trimEnd().split("\n").map((l) => ExperienceRecord.parse(JSON.parse(l)))

describe("policy version and staleness", () => {
  it("versions are integers or strings ending in one; the prefix is ignored", () => {
    assert.strictEqual(versionOrdinal("42"), 42)
    assert.strictEqual(versionOrdinal("ckpt-42"), 42)
    assert.strictEqual(versionOrdinal("step_000042"), 42)
    assert.isUndefined(versionOrdinal("main"))
    assert.strictEqual(versionsBehind("ckpt-20", "ckpt-12"), 8)
    assert.strictEqual(versionsBehind("same", "same"), 0)
    assert.isUndefined(versionsBehind("main", "dev"))
    assert.isFalse(isStale("ckpt-20", "ckpt-12", 8))
    assert.isTrue(isStale("ckpt-21", "ckpt-12", 8))
    assert.isFalse(isStale("main", "dev", 0))
  })

  it.live("the HTTP version follows the service; integers are read as text; failures are PolicyErrors", () =>
    Effect.gen(function*() {
      const service = yield* policyService({ version: "ckpt-3" })
      const versions = yield* PolicyVersion.pipe(Effect.provide(policyVersionHttp({ url: service.url, retry: FAST })))
      assert.strictEqual(yield* versions.current, "ckpt-3")
      service.version = 4
      assert.strictEqual(yield* versions.current, "4")
      assert.strictEqual(yield* versions.lastKnown, "4")
      service.version = undefined
      const down = yield* Effect.flip(versions.current)
      assert.isTrue(down.retryable)
      assert.strictEqual(yield* versions.lastKnown, "4")
      const unreachable = yield* PolicyVersion.pipe(Effect.provide(policyVersionHttp({ url: "http://127.0.0.1:9", retry: FAST })))
      assert.isTrue((yield* Effect.flip(unreachable.current)).retryable)
      const fixed = yield* PolicyVersion.pipe(Effect.provide(policyVersionFixed("v1")))
      assert.strictEqual(yield* fixed.current, "v1")
    }))

  it.live("drop: episodes more than maxVersions behind at emit time are dropped; bug tasks are kept", () =>
    Effect.gen(function*() {
      const service = yield* policyService({ version: "ckpt-20" })
      const dir = mkdtempSync(join(tmpdir(), "ssr-stale-"))
      const layer = withStaleness({ maxVersions: 8, action: "drop" })(experienceSinkJsonl({ dir })).pipe(
        Layer.provide(policyVersionHttp({ url: service.url, retry: FAST }))
      )
      yield* Effect.gen(function*() {
        const sink = yield* ExperienceSink
        yield* sink.emit([episodeRecord("fresh", "ckpt-19"), episodeRecord("edge", "ckpt-12"), episodeRecord("old", "ckpt-11"), bugRecord("bug", "ckpt-1")])
        // The service goes down: the last known version still applies.
        service.version = undefined
        yield* sink.emit([episodeRecord("old-too", "ckpt-2")])
      }).pipe(Effect.provide(layer))
      const episodes = readIds(dir, JSONL_FILES.episode)
      assert.deepStrictEqual(episodes.map((r) => r.id), ["fresh", "edge"])
      assert.isTrue(episodes.every((r) => r.kind === "episode" && !r.stale))
      assert.deepStrictEqual(readIds(dir, JSONL_FILES.bug).map((r) => r.id), ["bug"])
    }))

  it.live("mark: stale episodes are kept with stale = true", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-stale-"))
      const layer = withStaleness({ maxVersions: 2, action: "mark" })(experienceSinkJsonl({ dir })).pipe(Layer.provide(policyVersionFixed("9")))
      yield* ExperienceSink.pipe(Effect.flatMap((sink) => sink.emit([episodeRecord("now", "9"), episodeRecord("then", "6")])), Effect.provide(layer))
      assert.deepStrictEqual(readIds(dir, JSONL_FILES.episode).map((r) => [r.id, r.kind === "episode" && r.stale]), [["now", false], ["then", true]])
    }))
})
