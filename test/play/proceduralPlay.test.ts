import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { GameConfig } from "../../src/domain/game.ts"
import { injectorReward, solverReward } from "../../src/phases/score/rewards.ts"
import { localSandboxRoot } from "../../src/sandbox/local/SandboxLocal.ts"
import { runCli, startCli } from "../support/cli.ts"
import { auditDir, localEngine, prepareProfile } from "../support/engine.ts"

/**
 * The main job end to end, as a user runs it: `ssr play` with the embedded procedural policy, real sandboxes,
 * real test suites. Assertions are recomputed from what the bank recorded.
 */
const SMALL_GAME = GameConfig.parse({
  name: "ci-small", strategies: { removal: 1, history: 1, direct: 1 }, groupSize: 4, maxOrder: 2, higherOrderPerBug: 2,
  concurrency: { sandboxes: 2, solvers: 2 }
})

const newRunDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ssr-play-"))
  const game = join(dir, "game.json")
  writeFileSync(game, JSON.stringify(SMALL_GAME))
  return { out: join(dir, "out"), game }
}

type Row = Record<string, unknown>
const query = (out: string, sql: string): Array<Row> => {
  const db = new DatabaseSync(join(out, "bank.sqlite"), { readOnly: true })
  try {
    return db.prepare(sql).all() as Array<Row>
  } finally {
    db.close()
  }
}

/** Rewards as recorded must equal GAME.md §4 recomputed from the recorded attempts. */
const assertRewardsRecomputed = (out: string) => {
  for (const bug of query(out, "SELECT * FROM bugs WHERE valid = 1 AND duplicate_of IS NULL")) {
    const attempts = query(out, `SELECT success, reward FROM attempts WHERE bug_id = '${String(bug["id"])}'`)
    assert.strictEqual(attempts.length, SMALL_GAME.groupSize, `${String(bug["id"])} has every attempt`)
    for (const a of attempts) assert.strictEqual(a["reward"], solverReward(a["success"] === 1))
    const s = attempts.filter((a) => a["success"] === 1).length / attempts.length
    assert.closeTo(Number(bug["solve_rate"]), s, 1e-12)
    if (bug["ord"] === 1) assert.closeTo(Number(bug["injector_reward"]), injectorReward({ valid: true, solveRate: s, alpha: SMALL_GAME.alpha }), 1e-12)
  }
  for (const bug of query(out, "SELECT * FROM bugs WHERE ord = 1 AND (valid = 0 OR duplicate_of IS NOT NULL)")) {
    assert.strictEqual(bug["injector_reward"], -1)
  }
  for (const e of query(out, "SELECT e.reward, b.injector_reward FROM episodes e JOIN bugs b ON b.id = e.bug_id WHERE e.role = 'injector'")) {
    assert.strictEqual(e["reward"], e["injector_reward"])
  }
}

layer(localEngine, { timeout: 3_600_000, excludeTestServices: true })("ssr play with the procedural policy", (it) => {
  it.effect("plays rounds on js-fixture: valid bugs re-audit as valid, Eq.1 rewards, higher-order bugs with parents", () =>
    Effect.gen(function*() {
      const { out, game } = newRunDir()
      const r = yield* Effect.promise(() => runCli(["play", "--repo", "js-fixture", "--game", game, "--rounds", "4", "--seed", "3", "--out", out]))
      assert.strictEqual(r.code, 0, r.stderr)
      assert.include(r.stdout, "solve rate:")
      assert.include(r.stdout, "higher-order bugs:")
      const rounds = query(out, "SELECT status FROM rounds")
      assert.strictEqual(rounds.length, 4)
      assert.isTrue(rounds.every((x) => x["status"] === "done"))
      // Every bug the game called valid is valid for the auditor too.
      const env = yield* prepareProfile("js-fixture")
      const valid = query(out, "SELECT dir FROM bugs WHERE ord = 1 AND valid = 1")
      assert.isAbove(valid.length, 0, "at least one valid bug in 4 rounds")
      for (const bug of valid) {
        const report = yield* auditDir(env, String(bug["dir"]))
        assert.isTrue(report.valid, `${String(bug["dir"])}: ${report.firstFailedCheck}`)
      }
      assertRewardsRecomputed(out)
      // Failed attempts hand in a best guess, so a bug with s < 1 seeds order-2 bugs (GAME.md §6).
      const children = query(out, "SELECT id, parent FROM bugs WHERE ord = 2")
      assert.isAbove(children.length, 0, "failed solver attempts became higher-order bugs")
      for (const child of children) {
        const parent = query(out, `SELECT valid, ord FROM bugs WHERE id = '${String(child["parent"])}'`)[0]
        assert.deepStrictEqual(parent, { valid: 1, ord: 1 })
        assert.isTrue(existsSync(join(out, "bugs", String(child["id"]), "pred_patch.diff")))
      }
      // Experience went to the default JSONL sink, one line per episode.
      const episodes = query(out, "SELECT COUNT(*) AS n FROM episodes WHERE emitted = 1")[0]!["n"]
      assert.isAbove(Number(episodes), 0)
    }), { timeout: 2_400_000 })

  it.effect("plays rounds on qs from the npm registry", () =>
    Effect.gen(function*() {
      const { out, game } = newRunDir()
      const r = yield* Effect.promise(() => runCli(["play", "--repo", "qs", "--game", game, "--rounds", "2", "--seed", "5", "--out", out]))
      assert.strictEqual(r.code, 0, r.stderr)
      assert.strictEqual(query(out, "SELECT COUNT(*) AS n FROM rounds WHERE status = 'done'")[0]!["n"], 2)
      assertRewardsRecomputed(out)
    }), { timeout: 2_400_000 })

  it.effect("a run killed with SIGKILL resumes with nothing lost or done twice; gc leaves no sandbox behind", () =>
    Effect.gen(function*() {
      const { out, game } = newRunDir()
      const args = ["play", "--repo", "js-fixture", "--game", game, "--rounds", "2", "--seed", "11", "--out", out]
      const child = startCli(args)
      // Wait until the bank holds a finished solver attempt, then kill the engine mid-round.
      const deadline = Date.now() + 900_000
      for (;;) {
        yield* Effect.sleep("1 second")
        const ready = existsSync(join(out, "bank.sqlite")) && Number(query(out, "SELECT COUNT(*) AS n FROM attempts")[0]!["n"]) >= 1
        if (ready || Date.now() > deadline) break
      }
      child.kill("SIGKILL")
      yield* Effect.promise(() => new Promise((resolve) => child.once("exit", resolve)))
      const before = query(out, "SELECT bug_id, idx, seed, patch, created_at FROM attempts ORDER BY bug_id, idx")
      assert.isAbove(before.length, 0)

      const gc = yield* Effect.promise(() => runCli(["sandbox", "gc", "--skip-docker"]))
      assert.strictEqual(gc.code, 0, gc.stderr)
      const ours = readdirSync(localSandboxRoot()).filter((n) => n.startsWith("ssr-sbx-"))
      for (const name of ours) {
        const ownerFile = join(localSandboxRoot(), name, "owner.json")
        const owner = (existsSync(ownerFile) ? JSON.parse(readFileSync(ownerFile, "utf8")) : {}) as { pid?: number }
        assert.notStrictEqual(owner.pid, child.pid, `sandbox ${name} of the killed engine survived gc`)
      }

      const resumed = yield* Effect.promise(() => runCli(["play", "--resume", "--out", out]))
      assert.strictEqual(resumed.code, 0, resumed.stderr)
      assert.include(resumed.stderr, "resuming")
      assert.strictEqual(query(out, "SELECT COUNT(*) AS n FROM runs")[0]!["n"], 1)
      assert.strictEqual(query(out, "SELECT COUNT(*) AS n FROM rounds WHERE status = 'done'")[0]!["n"], 2)
      // Attempts recorded before the kill are untouched; nothing was recorded twice.
      const after = query(out, "SELECT bug_id, idx, seed, patch, created_at FROM attempts ORDER BY bug_id, idx")
      for (const row of before) assert.deepInclude(after, row)
      const keys = after.map((a) => `${String(a["bug_id"])}#${String(a["idx"])}`)
      assert.strictEqual(new Set(keys).size, keys.length)
      assertRewardsRecomputed(out)
    }), { timeout: 2_400_000 })
})
