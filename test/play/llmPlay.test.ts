import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { EpisodeRecord } from "../../src/domain/experience.ts"
import { GameConfig } from "../../src/domain/game.ts"
import { SANDBOX_WORK_DIR } from "../../src/sandbox/local/bwrap.ts"
import { runCli } from "../support/cli.ts"
import { modelServer } from "../support/modelServer.ts"
import { policyService } from "../support/policyService.ts"
import { gameScript } from "../support/scripts.ts"

/**
 * `ssr play --policy openai` end to end, through the real CLI in a child process: a local server speaking the
 * OpenAI chat-completions protocol (vLLM extras: token ids, logprobs) plays the scripted injector and solvers
 * over real tools on js-fixture, and a local policy service answers /version and receives the experience.
 */
const writeGame = (dir: string) => {
  const game = GameConfig.parse({
    name: "llm-e2e", strategies: { removal: 1 }, groupSize: 2, maxOrder: 2, higherOrderPerBug: 1,
    concurrency: { sandboxes: 2, solvers: 1 },
    budgets: { injectionAttempts: 1, solverCandidates: 1, scriptTimeoutSeconds: 60, agentTurns: 24, agentTokens: 131072, toolTimeoutSeconds: 60, episodeSeconds: 600 }
  })
  const file = join(dir, "game.json")
  writeFileSync(file, JSON.stringify(game))
  return file
}

const bankRows = (outDir: string, sql: string) => {
  const db = new DatabaseSync(join(outDir, "bank.sqlite"), { readOnly: true })
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>
  } finally {
    db.close()
  }
}

// One gameScript instance must serve the whole run (it counts solver conversations): share it across requests.
const sharedScript = () => {
  const script = gameScript(`${SANDBOX_WORK_DIR}/submission`, ["A", "B"])
  return Array.from({ length: 400 }, () => script)
}

layer(Layer.empty, { timeout: 900_000, excludeTestServices: true })("ssr play --policy openai (local vLLM-protocol server + policy service)", (it) => {
  it.effect("plays a full round: valid bug, G attempts, Eq.1 reward, a higher-order bug, experience delivered to the policy service", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-llm-play-"))
      const outDir = join(dir, "out")
      const model = yield* modelServer({ protocol: "openai", tokenMode: "vllm", script: sharedScript() })
      const service = yield* policyService({ version: "ckpt-3" })
      const result = yield* Effect.promise(() =>
        runCli([
          "play", "--repo", "js-fixture", "--game", writeGame(dir), "--policy", "openai", "--base-url", `${model.url}/v1`,
          "--model", "qwen-scripted", "--experience-url", service.url, "--rounds", "1", "--out", outDir
        ])
      )
      assert.strictEqual(result.code, 0, result.stderr)

      const bugs = bankRows(outDir, "SELECT id, parent, ord, valid, attempts, successes, solve_rate, injector_reward FROM bugs ORDER BY ord")
      assert.strictEqual(bugs.length, 2, JSON.stringify(bugs))
      const [parent, child] = bugs
      assert.strictEqual(parent!["valid"], 1)
      assert.strictEqual(parent!["attempts"], 2)
      assert.strictEqual(parent!["successes"], 1)
      assert.closeTo(Number(parent!["injector_reward"]), 1 - 1.8 * 0.5, 1e-9)
      assert.strictEqual(child!["parent"], parent!["id"])
      assert.strictEqual(child!["ord"], 2)
      assert.strictEqual(child!["attempts"], 2)

      // Experience: 1 injector + 2 + 2 solver episodes, and the higher-order bug as a task; schema-valid, once each.
      assert.deepStrictEqual(service.invalid, [])
      assert.deepStrictEqual(service.resentAfterAck, [])
      const records = [...service.stored.values()]
      const episodes = records.filter((r): r is EpisodeRecord => r.kind === "episode")
      assert.strictEqual(episodes.filter((e) => e.role === "injector").length, 1)
      assert.strictEqual(episodes.filter((e) => e.role === "solver").length, 4)
      assert.isTrue(episodes.every((e) => e.policyVersion === "ckpt-3" && !e.stale))
      assert.sameMembers(episodes.filter((e) => e.role === "solver").map((e) => e.reward), [1, -1, 1, -1])
      const tasks = records.filter((r) => r.kind === "bug")
      assert.deepStrictEqual(tasks.map((t) => t.id), [child!["id"]])
      // Exact token ids of every assistant turn travel with the episode (vLLM return_token_ids).
      for (const e of episodes) {
        for (const m of e.messages) if (m.role === "assistant") assert.isAbove(m.tokens?.completionIds?.length ?? 0, 0)
      }
      // The solver's sandbox holds one fresh commit and no history (GAME.md §5).
      const planA = episodes.find((e) => e.role === "solver" && e.messages.some((m) => m.role === "assistant" && m.content === "A"))!
      const firstTool = planA.messages.find((m) => m.role === "tool")
      assert.match(firstTool?.content ?? "", /^1\n1\n/)
    }), { timeout: 900_000 })

  it.effect("the policy service failing (5xx, answers lost to timeouts) delays delivery but loses and duplicates nothing", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssr-llm-play-"))
      const outDir = join(dir, "out")
      const model = yield* modelServer({ protocol: "openai", tokenMode: "vllm", script: sharedScript() })
      const service = yield* policyService({ version: "ckpt-3" })
      service.behaviours.push({ kind: "status", status: 503 }, { kind: "slow", ms: 3_000 }, { kind: "status", status: 500 })
      const result = yield* Effect.promise(() =>
        runCli([
          "play", "--repo", "js-fixture", "--game", writeGame(dir), "--policy", "openai", "--base-url", `${model.url}/v1`,
          "--model", "qwen-scripted", "--experience-url", service.url, "--rounds", "1", "--out", outDir
        ], { env: { ...process.env, SSR_EXPERIENCE_TIMEOUT_MS: "1000" } })
      )
      assert.strictEqual(result.code, 0, result.stderr)
      assert.isAtLeast(service.posts.length, 4)
      assert.deepStrictEqual(service.resentAfterAck, [])
      assert.deepStrictEqual(service.invalid, [])
      const episodes = [...service.stored.values()].filter((r) => r.kind === "episode")
      assert.strictEqual(episodes.length, 5)
      const emitted = bankRows(outDir, "SELECT COUNT(*) AS n FROM episodes WHERE emitted = 1")[0]!["n"]
      assert.strictEqual(emitted, 5)
    }), { timeout: 900_000 })
})

