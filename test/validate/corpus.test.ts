import { existsSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { SandboxDocker } from "../../src/sandbox/docker/SandboxDocker.ts"
import { SandboxLocal } from "../../src/sandbox/local/SandboxLocal.ts"
import type { SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { describeDocker } from "../sandbox/dockerSupport.ts"
import { corpusCases } from "../support/corpus.ts"
import { auditDir, engineLayerWith, prepareProfile, TEST_LIMITS } from "../support/engine.ts"

/**
 * The auditor against the artifact corpus (test/fixtures/artifacts): for every profile one valid artifact and,
 * for each of the seven checks, artifacts that fail exactly that check first, in both naming variants; plus
 * hostile artifacts on the JS fixture. Each expected.json was verified by hand when the artifact was written.
 */
const HOSTILE_MARKER = "ssr-hostile-marker"
const hostileMarkerPlaces = () => [join(tmpdir(), HOSTILE_MARKER), join(homedir(), HOSTILE_MARKER), join("/etc", HOSTILE_MARKER), join("/tmp", HOSTILE_MARKER)]

const corpusSuite = <E>(backend: string, sandbox: Layer.Layer<SandboxProvider, E>, profile: string) => {
  const cases = corpusCases(profile)
  layer(engineLayerWith(sandbox), { timeout: 600_000 })(`audit corpus: ${profile} (${backend} sandbox)`, (it) => {
    it.effect("has a valid artifact and a failing one for each check", () =>
      Effect.sync(() => {
        assert.isTrue(cases.some((c) => c.expected.valid), "a valid artifact")
        for (const check of ["test-files", "parser-valid", "script-valid", "bug-scope", "bug-real", "weakening-hides", "inverse-mutation"]) {
          assert.isTrue(cases.some((c) => c.expected.firstFailedCheck === check), `an artifact failing ${check}`)
        }
      }))

    for (const c of cases) {
      it.effect(`${c.name}: ${c.expected.valid ? "valid" : `fails ${c.expected.firstFailedCheck}`}`, () =>
        Effect.gen(function*() {
          const env = yield* prepareProfile(profile)
          const limits = c.expected.hostile === "timeout"
            ? { ...TEST_LIMITS, scriptTimeoutMs: 5_000 }
            : c.expected.hostile === "parser-timeout"
            ? { ...TEST_LIMITS, parserTimeoutMs: 3_000 }
            : TEST_LIMITS
          const report = yield* auditDir(env, c.dir, limits)
          const summary = report.checks.map((k) => `${k.index} ${k.name} ${k.status}: ${k.reason}`).join("\n")
          assert.strictEqual(report.valid, c.expected.valid, summary)
          assert.strictEqual(report.firstFailedCheck, c.expected.firstFailedCheck, summary)
          if (c.expected.firstFailedCheck !== null) {
            const failed = report.checks.find((k) => k.name === c.expected.firstFailedCheck)!
            assert.include(failed.reason.toLowerCase(), (c.expected.reasonIncludes ?? "").toLowerCase(), summary)
            // Every check before the first failed one passed.
            for (const k of report.checks.slice(0, failed.index - 1)) assert.strictEqual(k.status, "passed", summary)
          }
          if (c.expected.hostile === "escape") {
            for (const place of [...hostileMarkerPlaces(), join(dirname(env.repoDir), HOSTILE_MARKER)]) {
              assert.isFalse(existsSync(place), `hostile artifact wrote ${place} on the host`)
            }
          }
        }), { timeout: 300_000 })
    }
  })
}

for (const profile of ["js-fixture", "py-fixture", "qs"]) {
  corpusSuite("local", SandboxLocal.layer, profile)
  // GAME.md verdicts must not depend on the backend: the Docker run gives the same verdict on every artifact.
  describeDocker(`audit corpus on Docker: ${profile}`, () => corpusSuite("docker", SandboxDocker.layer, profile))
}
