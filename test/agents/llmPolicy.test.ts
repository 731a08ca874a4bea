import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExperienceSink, experienceLayers, PolicyVersion } from "../../src/experience/index.ts"
import { policyVersionHttp } from "../../src/experience/PolicyVersion.ts"
import { OpenAiCompatModel } from "../../src/llm/OpenAiCompatModel.ts"
import { Policy } from "../../src/policy/Policy.ts"
import { llmPolicyLayer } from "../../src/policy/llm/LlmPolicy.ts"
import type { Sandbox } from "../../src/sandbox/Sandbox.ts"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { testGame } from "../support/agents.ts"
import { modelServer, submit } from "../support/modelServer.ts"
import { policyService } from "../support/policyService.ts"
import { episodeRecord } from "../support/records.ts"

/** The solver below only submits, so its sandbox is never touched. */
const untouchedSandbox = new Proxy({ repoDir: "/repo", workDir: "/ssr" } as Sandbox, {
  get: (target, key) => (key in target ? target[key as keyof Sandbox] : () => Effect.die(new Error(`sandbox.${String(key)} used`)))
})

describe("LlmPolicy and the policy-service link", () => {
  it.live("version comes from the policy service; a rollout is tagged with the version it was sampled with", () =>
    Effect.gen(function*() {
      const service = yield* policyService({ version: "ckpt-5" })
      const server = yield* modelServer({
        protocol: "openai",
        script: [() => {
          service.version = "ckpt-6" // a new checkpoint lands while the episode runs
          return submit()
        }]
      })
      const layer = llmPolicyLayer({ name: "qwen-under-training" }).pipe(Layer.provide(Layer.mergeAll(
        OpenAiCompatModel.layer({ baseURL: `${server.url}/v1`, model: "qwen" }),
        policyVersionHttp({ url: service.url })
      )))
      const { policy, result } = yield* Effect.gen(function*() {
        const policy = yield* Policy
        const result = yield* policy.solve({ sandbox: untouchedSandbox, prompt: "Fix it.", spec: "", env: {} as PreparedEnv, game: testGame(), seed: 3 })
        return { policy, result }
      }).pipe(Effect.provide(layer))
      assert.strictEqual(policy.name, "qwen-under-training")
      assert.deepStrictEqual(result.trajectory.policy, { name: "qwen-under-training", version: "ckpt-5" })
      assert.strictEqual(result.trajectory.status, "submitted")
      assert.strictEqual(yield* policy.version.pipe(Effect.provide(layer)), "ckpt-6")
      // GAME.md §9 sampling defaults reach the server.
      assert.strictEqual(server.requests[0]!.body.temperature, 1)
      assert.strictEqual(server.requests[0]!.body.top_p, 0.95)
    }))

  it.live("experienceLayers: with a service, versions come from it and records are delivered over HTTP", () =>
    Effect.gen(function*() {
      const service = yield* policyService({ version: "ckpt-30" })
      const dir = mkdtempSync(join(tmpdir(), "ssr-exp-"))
      yield* Effect.gen(function*() {
        assert.strictEqual(yield* (yield* PolicyVersion).current, "ckpt-30")
        const sink = yield* ExperienceSink
        yield* sink.emit([episodeRecord("new", "ckpt-29"), episodeRecord("ancient", "ckpt-3")])
        yield* sink.flush
      }).pipe(Effect.provide(experienceLayers({ dir, serviceUrl: service.url, staleness: { maxVersions: 8, action: "drop" } })))
      assert.deepStrictEqual([...service.stored.keys()], ["new"])
    }))
})
