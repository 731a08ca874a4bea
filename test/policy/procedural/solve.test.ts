import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parseDiff, touchedFiles } from "../../../src/diff/index.ts"
import type { BugArtifact } from "../../../src/domain/artifact.ts"
import type { PreparedEnv } from "../../../src/env/PreparedEnv.ts"
import { solveAttempt, solverSpec } from "../../../src/phases/solve/index.ts"
import { judgePatch } from "../../../src/phases/solve/judge.ts"
import { buildSolverTask, extractPatch } from "../../../src/phases/solve/task.ts"
import { validateArtifact } from "../../../src/phases/validate/index.ts"
import { Policy } from "../../../src/policy/Policy.ts"
import { SandboxProvider } from "../../../src/sandbox/Sandbox.ts"
import { prepareProfile, TEST_LIMITS } from "../../support/engine.ts"
import { handmadeArtifact, proceduralEngine, rate, testGame } from "./support.ts"

/*
 * The procedural Solver on hand-made direct-mutation bugs of the JS fixture: a real task sandbox (history wiped),
 * the patch read back and judged like in play; and, over G seeds, a solve rate strictly between 0 and 1.
 */

/** `if (str.length <= max)` → `<`: "exact" strings get an ellipsis. */
const truncateBug = (env: PreparedEnv) =>
  handmadeArtifact(
    env,
    [{ file: "src/strings.js", find: "if (str.length <= max) return str", replace: "if (str.length < max) return str" }],
    [{ file: "test/strings.test.js", find: "    assert.equal(truncate(\"exact\", 5), \"exact\")\n", replace: "" }]
  )

const validBaseline = (env: PreparedEnv, artifact: BugArtifact) =>
  Effect.gen(function*() {
    const report = yield* validateArtifact({
      artifact, artifactPath: "<handmade>", env, thresholds: testGame.thresholds, limits: TEST_LIMITS, concurrency: 2
    })
    assert.isTrue(report.valid, report.checks.map((c) => `${c.name} ${c.status}: ${c.reason}`).join("\n"))
    return report.baselineTests
  })

layer(proceduralEngine, { timeout: 1_800_000, excludeTestServices: true })("procedural solver on js-fixture", (it) => {
  it.effect("repairs a direct-mutation bug from the spec alone, in a task sandbox without history", () =>
    Effect.gen(function*() {
      const env = yield* prepareProfile("js-fixture")
      const artifact = yield* truncateBug(env)
      const baselineTests = yield* validBaseline(env, artifact)
      const policy = yield* Policy
      let solved: { seed: number; patch: string } | undefined
      for (let seed = 0; seed < 8 && solved === undefined; seed++) {
        const { patch, status } = yield* Effect.scoped(Effect.gen(function*() {
          const sandbox = yield* (yield* SandboxProvider).acquire(env, { purpose: "solve-test" })
          yield* buildSolverTask(sandbox, env, artifact)
          const { spec, prompt } = solverSpec(artifact, sandbox.repoDir)
          const revisions = () => sandbox.exec({ argv: ["git", "rev-list", "--count", "HEAD"], timeoutMs: 30_000 }).pipe(Effect.map((r) => r.stdout.trim()))
          assert.strictEqual(yield* revisions(), "1", "the task repository has exactly one commit")
          const result = yield* policy.solve({ sandbox, prompt, spec, env, game: testGame, seed })
          assert.strictEqual(yield* revisions(), "1", "the solver made no commit and read no history")
          assert.strictEqual(result.trajectory.role, "solver")
          assert.isTrue(result.trajectory.actions.some((a) => a.action === "try-repair"))
          return { patch: yield* extractPatch(sandbox, artifact.testFiles), status: result.trajectory.status }
        }))
        const judgement = yield* judgePatch({ env, artifact, patch, baselineTests, limits: TEST_LIMITS })
        assert.strictEqual(judgement.success, status === "submitted", `seed ${seed}: status ${status} but judged ${judgement.reason}`)
        if (judgement.success) solved = { seed, patch }
      }
      assert.isDefined(solved, "some seed repairs the bug")
      const parsed = parseDiff(solved!.patch)
      assert.isTrue(parsed.ok)
      if (parsed.ok) assert.deepStrictEqual(touchedFiles(parsed.files), ["src/strings.js"], "only code changes remain (the spec is reverted)")
      assert.include(solved!.patch, "+  if (str.length <= max) return str")
    }), { timeout: 900_000 })

  it.effect("over G seeds, the solve rate is strictly between 0 and 1", () =>
    Effect.gen(function*() {
      const env = yield* prepareProfile("js-fixture")
      const artifact = yield* truncateBug(env)
      const baselineTests = yield* validBaseline(env, artifact)
      const outcomes = yield* Effect.forEach(
        Array.from({ length: testGame.groupSize }, (_, index) => index),
        (index) => solveAttempt({ env, game: testGame, artifact, baselineTests, limits: TEST_LIMITS, index, seed: 100 + index }),
        { concurrency: 2 }
      )
      const solved = outcomes.filter((o) => o.judgement.success).length
      console.log(`[js-fixture truncate bug] solve rate ${rate(solved, outcomes.length)}`)
      assert.isAbove(solved, 0)
      assert.isBelow(solved, outcomes.length)
      // A failed attempt hands in its best guess: a code change that can seed a higher-order bug (GAME.md §6).
      const guesses = outcomes.filter((o) => !o.judgement.success && o.trajectory.actions.some((a) => a.action === "submit-guess"))
      for (const o of guesses) assert.include(o.patch, "src/", `attempt ${o.index} submitted a guess but its patch is empty`)
      assert.isTrue(guesses.length > 0 || outcomes.every((o) => o.judgement.success || o.patch.length > 0), "failed attempts change code")
    }), { timeout: 900_000 })
})
