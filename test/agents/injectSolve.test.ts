import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { BugArtifact } from "../../src/domain/artifact.ts"
import { DEFAULT_THRESHOLDS } from "../../src/domain/validation.ts"
import { Trajectory } from "../../src/domain/trajectory.ts"
import { reverseDiff } from "../../src/diff/index.ts"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { installProgram, runTests } from "../../src/execution/testRun.ts"
import { policyVersionFixed } from "../../src/experience/PolicyVersion.ts"
import { AnthropicModel } from "../../src/llm/AnthropicModel.ts"
import { OpenAiCompatModel } from "../../src/llm/OpenAiCompatModel.ts"
import { solverPrompt } from "../../src/phases/solve/prompt.ts"
import { validateArtifact } from "../../src/phases/validate/index.ts"
import { Policy } from "../../src/policy/Policy.ts"
import { llmPolicyLayer, submissionDirOf } from "../../src/policy/llm/LlmPolicy.ts"
import { applyDiff, restoreFiles } from "../../src/sandbox/repoOps.ts"
import { type Sandbox, SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { fixtureSandbox, testGame } from "../support/agents.ts"
import { localEngine, prepareProfile, TEST_LIMITS } from "../support/engine.ts"
import { editor, modelServer, type ModelServerOptions, submit } from "../support/modelServer.ts"
import { ALTERNATIVE_NAMES as ALTERNATIVE, type ArtifactNames as Names, injectorScript, PAPER_NAMES as PAPER, solverScript } from "../support/scripts.ts"

const game = testGame()

const policyOn = (protocol: ModelServerOptions["protocol"], url: string) =>
  llmPolicyLayer().pipe(Layer.provide(Layer.mergeAll(
    protocol === "openai"
      ? OpenAiCompatModel.layer({ baseURL: `${url}/v1`, model: "qwen-scripted" })
      : AnthropicModel.layer({ apiKey: "k", baseURL: url, model: "claude-scripted" }),
    policyVersionFixed("ckpt-7")
  )))

const toolOutputs = (trajectory: Trajectory) => trajectory.messages.flatMap((m) => (m.role === "tool" ? [m.content] : []))

const injectVia = (protocol: ModelServerOptions["protocol"], names: Names, env: PreparedEnv, sandbox: Sandbox) =>
  Effect.gen(function*() {
    const server = yield* modelServer({ protocol, script: injectorScript(submissionDirOf(sandbox), names) })
    const steps: Array<Trajectory> = []
    const result = yield* Effect.gen(function*() {
      return yield* (yield* Policy).inject({
        sandbox,
        env,
        game,
        strategy: "removal",
        seed: 5,
        onStep: (t) => Effect.sync(() => void steps.push(Trajectory.parse(t)))
      })
    }).pipe(Effect.provide(policyOn(protocol, server.url)))
    return { result, server, steps }
  })

const audit = (artifact: Omit<BugArtifact, "extraLayers">, env: PreparedEnv) =>
  validateArtifact({ artifact: { ...artifact, extraLayers: [] }, artifactPath: "(llm submission)", env, thresholds: DEFAULT_THRESHOLDS, limits: TEST_LIMITS, concurrency: 2 })

/** GAME.md §5: original → bug → weakening → .git wiped, one fresh commit. */
const solverTask = (env: PreparedEnv, artifact: Omit<BugArtifact, "extraLayers">) =>
  Effect.gen(function*() {
    const sandbox = yield* (yield* SandboxProvider).acquire(env)
    assert.isTrue((yield* applyDiff(sandbox, artifact.bugInjectDiff)).ok)
    assert.isTrue((yield* applyDiff(sandbox, artifact.testWeakenDiff)).ok)
    const fresh = yield* sandbox.exec({ argv: ["bash", "-c", "rm -rf .git && git init -q && git add -A && git commit -qm task"], timeoutMs: 60_000 })
    assert.strictEqual(fresh.exitCode, 0, fresh.stderr)
    return sandbox
  })

layer(localEngine, { timeout: 900_000, excludeTestServices: true })("LLM policy over real tools: scripted injector and solver on js-fixture", (it) => {
  it.effect("the scripted injector (OpenAI-compatible) breaks the repo and submits an artifact that passes validateArtifact; the scripted solver repairs it", () =>
    Effect.gen(function*() {
      const env = yield* prepareProfile("js-fixture")
      const { sandbox } = yield* fixtureSandbox()
      const { result, server, steps } = yield* injectVia("openai", PAPER, env, sandbox)

      assert.strictEqual(result.trajectory.status, "submitted")
      assert.strictEqual(result.trajectory.role, "injector")
      assert.deepStrictEqual(result.trajectory.policy, { name: "openai-compatible:qwen-scripted", version: "ckpt-7" })
      assert.strictEqual(steps.length, server.requests.length)
      const outputs = toolOutputs(result.trajectory)
      assert.include(outputs[3], "# fail 1")
      assert.include(outputs[5], "# fail 0")
      assert.include(outputs.at(-2), "99 ['passed']")
      assert.include(server.requests[0]!.body.messages[1].content, `${submissionDirOf(sandbox)}`)
      const artifact = result.artifact!
      assert.deepStrictEqual(artifact.missing, [])
      assert.strictEqual(artifact.naming, "paper")
      assert.include(artifact.bugInjectDiff, "diff --git a/src/querystring.js b/src/querystring.js")
      assert.include(artifact.testWeakenDiff, "diff --git a/test/querystring.test.js b/test/querystring.test.js")
      for (const m of result.trajectory.messages) if (m.role === "assistant") assert.isAbove(m.tokens?.completionIds?.length ?? 0, 0)

      const report = yield* audit(artifact, env)
      assert.isTrue(report.valid, JSON.stringify(report.checks.filter((c) => c.status !== "passed"), null, 2))
      assert.deepStrictEqual(report.failingTests, ["decodeQuery > decodes plus signs as spaces"])

      // The solver gets only the fixed template around the reversed weakening.
      const reversed = reverseDiff(artifact.testWeakenDiff)
      assert.isTrue(reversed.ok)
      const prompt = solverPrompt(reversed.ok ? reversed.text : "")
      const task = yield* solverTask(env, artifact)
      const solverServer = yield* modelServer({ protocol: "openai", script: solverScript })
      const solved = yield* Effect.gen(function*() {
        return yield* (yield* Policy).solve({ sandbox: task, prompt, spec: reversed.ok ? reversed.text : "", env, game, seed: 9 })
      }).pipe(Effect.provide(policyOn("openai", solverServer.url)))
      assert.strictEqual(solved.trajectory.status, "submitted")
      assert.strictEqual(solved.trajectory.role, "solver")
      assert.strictEqual(solverServer.requests[0]!.body.messages[1].content, prompt)
      assert.include(toolOutputs(solved.trajectory)[3], "# fail 0")

      // Judge as GAME.md §5 does: original + bug + weakening + the solver's patch, oracle tests restored.
      const predPatch = (yield* task.exec({ argv: ["git", "diff"], timeoutMs: 60_000 })).stdout
      assert.include(predPatch, "src/querystring.js")
      const judge = yield* (yield* SandboxProvider).acquire(env)
      for (const layerDiff of [artifact.bugInjectDiff, artifact.testWeakenDiff, predPatch]) assert.isTrue((yield* applyDiff(judge, layerDiff)).ok)
      assert.isTrue((yield* restoreFiles(judge, artifact.testFiles)).ok)
      yield* installProgram(judge, { script: artifact.testScript, parser: artifact.testParser })
      const run = yield* runTests(judge, TEST_LIMITS)
      assert.isTrue(run.parse.ok)
      if (run.parse.ok) {
        const statuses = Object.values(run.parse.report)
        assert.strictEqual(statuses.length, 99)
        assert.isTrue(statuses.every((s) => s === "passed"))
      }
    }))

  it.effect("the scripted injector over the Anthropic protocol with the alternative file names also passes", () =>
    Effect.gen(function*() {
      const env = yield* prepareProfile("js-fixture")
      const { sandbox } = yield* fixtureSandbox()
      const { result } = yield* injectVia("anthropic", ALTERNATIVE, env, sandbox)
      assert.strictEqual(result.trajectory.status, "submitted")
      const artifact = result.artifact!
      assert.strictEqual(artifact.naming, "alternative")
      assert.deepStrictEqual(artifact.missing, [])
      const report = yield* audit(artifact, env)
      assert.isTrue(report.valid, JSON.stringify(report.checks.filter((c) => c.status !== "passed"), null, 2))
    }))

  it.effect("a broken submission (files missing) is still an artifact; the auditor fails it, nothing crashes", () =>
    Effect.gen(function*() {
      const env = yield* prepareProfile("js-fixture")
      const { sandbox } = yield* fixtureSandbox()
      const sub = submissionDirOf(sandbox)
      const server = yield* modelServer({
        protocol: "openai",
        script: [editor({ command: "create", path: `${sub}/test_files.txt`, file_text: "test/querystring.test.js\n" }), submit()]
      })
      const result = yield* Effect.gen(function*() {
        return yield* (yield* Policy).inject({ sandbox, env, game, strategy: "direct", seed: 1 })
      }).pipe(Effect.provide(policyOn("openai", server.url)))
      assert.strictEqual(result.trajectory.status, "submitted")
      const artifact = result.artifact!
      assert.deepStrictEqual([...artifact.missing].sort(), ["bugInject", "testParser", "testScript", "testWeaken"])
      assert.include(toolOutputs(result.trajectory).at(-1), "these files were missing: test_script.sh, test_parser.py, bug_inject.diff, test_weaken.diff")
      const report = yield* audit(artifact, env)
      assert.isFalse(report.valid)
    }))
})
