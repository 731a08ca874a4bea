import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { type AttemptRow, BugBank, type BugRow } from "../../src/bank/BugBank.ts"

export const sampleBug = (id: string, overrides: Partial<BugRow> = {}): BugRow => ({
  id, runId: "run-1", repo: "js-fixture", rev: "abc", strategy: "removal", policyName: "procedural", policyVersion: "procedural-1",
  seed: 7, parent: null, order: 1, dir: `/tmp/bugs/${id}`, normalisedHash: `hash-${id}`, createdAt: "2026-11-21T00:00:00.000Z",
  valid: null, firstFailedCheck: null, checks: [], failingTests: [], baselineTests: [], duplicateOf: null,
  attempts: 0, successes: 0, solveRate: null, band: null, injectorReward: null, ...overrides
})

export const sampleAttempt = (bugId: string, index: number, success: boolean): AttemptRow => ({
  bugId, index, seed: 100 + index, policyVersion: "procedural-1", success, reward: success ? 1 : -1, patch: `patch ${index}`,
  failedTests: success ? [] : ["t1"], missingTests: [], stateHash: `state-${index}`, episodeId: `${bugId}-solve${index}`, createdAt: "2026-11-21T00:00:01.000Z"
})

/** The contract of every BugBank backend (GAME.md §8 curriculum bank; idempotent writes for --resume). */
export const bugBankConformance = <E>(name: string, bank: () => Layer.Layer<BugBank, E>) =>
  layer(bank())(`BugBank conformance: ${name}`, (it) => {
    it.effect("bugs round-trip; updates by id; query by repo, strategy, order, band, validity and solve-rate range", () =>
      Effect.gen(function*() {
        const b = yield* BugBank
        yield* b.putBug(sampleBug("q1", { valid: true, solveRate: 0.25, band: "in-band", checks: [{ index: 1, name: "test-files", status: "passed", reason: "ok", evidence: {} }] }))
        yield* b.putBug(sampleBug("q2", { strategy: "history", valid: false, firstFailedCheck: "bug-real" }))
        yield* b.putBug(sampleBug("q3", { order: 2, parent: "q1", strategy: "higher-order", valid: true, solveRate: 1, band: "too-easy" }))
        assert.deepStrictEqual((yield* b.getBug("q1"))?.checks[0]?.name, "test-files")
        assert.deepStrictEqual((yield* b.queryBugs({ strategy: "history" })).map((x) => x.id), ["q2"])
        assert.deepStrictEqual((yield* b.queryBugs({ order: 2 })).map((x) => x.parent), ["q1"])
        assert.deepStrictEqual((yield* b.queryBugs({ band: "in-band" })).map((x) => x.id), ["q1"])
        assert.deepStrictEqual((yield* b.queryBugs({ valid: true, solveRate: [0.1, 0.5] })).map((x) => x.id), ["q1"])
        yield* b.putBug({ ...sampleBug("q2", { strategy: "history" }), valid: true, injectorReward: -0.8 })
        assert.strictEqual((yield* b.getBug("q2"))?.injectorReward, -0.8)
      }))

    it.effect("dedup lookup finds only valid, non-duplicate bugs", () =>
      Effect.gen(function*() {
        const b = yield* BugBank
        yield* b.putBug(sampleBug("d1", { normalisedHash: "same", valid: false }))
        assert.isUndefined(yield* b.findByHash("same"))
        yield* b.putBug(sampleBug("d2", { normalisedHash: "same", valid: true }))
        yield* b.putBug(sampleBug("d3", { normalisedHash: "same", valid: true, duplicateOf: "d2" }))
        assert.strictEqual((yield* b.findByHash("same"))?.id, "d2")
      }))

    it.effect("attempts are written once per (bug, index): a repeated write after a resume changes nothing", () =>
      Effect.gen(function*() {
        const b = yield* BugBank
        yield* b.putAttempt(sampleAttempt("a1", 0, true))
        yield* b.putAttempt({ ...sampleAttempt("a1", 0, false), patch: "other" })
        yield* b.putAttempt(sampleAttempt("a1", 1, false))
        const attempts = yield* b.attempts("a1")
        assert.deepStrictEqual(attempts.map((a) => [a.index, a.success, a.patch]), [[0, true, "patch 0"], [1, false, "patch 1"]])
        assert.deepStrictEqual(attempts[1]?.failedTests, ["t1"])
      }))

    it.effect("runs, rounds and episodes; emitted flags only go up", () =>
      Effect.gen(function*() {
        const b = yield* BugBank
        yield* b.putRun({ id: "run-9", config: "{}", createdAt: "2026-11-21T00:00:00.000Z" })
        assert.strictEqual((yield* b.latestRun)?.id, "run-9")
        yield* b.putRound({ runId: "run-9", round: 0, repo: "qs", strategy: "direct", seed: 1, status: "started", bugId: null })
        yield* b.putRound({ runId: "run-9", round: 0, repo: "qs", strategy: "direct", seed: 1, status: "injected", bugId: "x" })
        assert.deepStrictEqual((yield* b.rounds("run-9")).map((r) => [r.status, r.bugId]), [["injected", "x"]])
        const episode = { id: "e1", runId: "run-9", round: 0, role: "solver" as const, bugId: "x", groupId: "x", policyVersion: "v1", reward: 1, status: "submitted", trajectoryPath: "/t", emitted: false, createdAt: "2026-11-21T00:00:00.000Z" }
        yield* b.putEpisode(episode)
        yield* b.markEmitted(["e1"])
        yield* b.putEpisode(episode)
        assert.isTrue((yield* b.episodes("run-9"))[0]?.emitted)
      }))
  })
