import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { BugArtifact } from "../../../src/domain/artifact.ts"
import { GameConfig, STRATEGIES, type Strategy } from "../../../src/domain/game.ts"
import type { PreparedEnv } from "../../../src/env/PreparedEnv.ts"
import { injectBug } from "../../../src/phases/inject/index.ts"
import { validateArtifact } from "../../../src/phases/validate/index.ts"
import { ProceduralPolicy } from "../../../src/policy/procedural/ProceduralPolicy.ts"
import { gitDiffOf, readRepoText, writeRepoTexts } from "../../../src/policy/procedural/sandboxFiles.ts"
import { builtinParserSource } from "../../../src/parsers/index.ts"
import { testScriptFor } from "../../../src/policy/procedural/suite.ts"
import { WorkerPool } from "../../../src/pool/WorkerPool.ts"
import { SandboxProvider } from "../../../src/sandbox/Sandbox.ts"
import { localEngine, prepareProfile, TEST_LIMITS } from "../../support/engine.ts"

/** Real environments and Local sandboxes, the procedural policy over a real worker pool. */
export const proceduralEngine = Layer.mergeAll(localEngine, ProceduralPolicy.layer.pipe(Layer.provideMerge(WorkerPool.layer)))

export const testGame = GameConfig.parse({
  name: "procedural-test",
  strategies: { removal: 1, history: 1, direct: 1 }
})

export interface InjectionOutcome {
  readonly strategy: Strategy
  readonly seed: number
  readonly submitted: boolean
  readonly valid: boolean
  readonly firstFailedCheck: string | null
  readonly summary: string
}

/** One injector episode in a fresh sandbox, then the real auditor on what it submitted. */
export const injectAndAudit = (env: PreparedEnv, strategy: Strategy, seed: number) =>
  Effect.gen(function*() {
    const result = yield* injectBug({ env, game: testGame, strategy, seed })
    if (result.artifact === undefined) {
      const last = result.trajectory.actions.at(-1)
      return { strategy, seed, submitted: false, valid: false, firstFailedCheck: null, summary: JSON.stringify(last?.detail ?? {}) } satisfies InjectionOutcome
    }
    const artifact: BugArtifact = { ...result.artifact, extraLayers: [] }
    const report = yield* validateArtifact({
      artifact, artifactPath: `<procedural ${strategy} ${seed}>`, env, thresholds: testGame.thresholds, limits: TEST_LIMITS, concurrency: 2
    })
    const summary = report.checks.filter((c) => c.status !== "passed").map((c) => `${c.name}: ${c.reason}`).join("; ")
    return { strategy, seed, submitted: true, valid: report.valid, firstFailedCheck: report.firstFailedCheck, summary } satisfies InjectionOutcome
  })

export interface TextEdit {
  readonly file: string
  readonly find: string
  readonly replace: string
}

/**
 * A hand-made first-order artifact: code edits (the bug) and test edits (the weakening) applied in a scratch
 * sandbox and read back as `git diff`s, with the profile's command and built-in parser.
 */
export const handmadeArtifact = (env: PreparedEnv, bug: ReadonlyArray<TextEdit>, weakening: ReadonlyArray<TextEdit>) =>
  Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* (yield* SandboxProvider).acquire(env, { purpose: "handmade-artifact" })
    const edit = (edits: ReadonlyArray<TextEdit>) =>
      Effect.gen(function*() {
        for (const e of edits) {
          const text = (yield* readRepoText(sandbox, e.file)) ?? ""
          if (!text.includes(e.find)) return yield* Effect.die(new Error(`${e.file} does not contain ${JSON.stringify(e.find)}`))
          yield* writeRepoTexts(sandbox, new Map([[e.file, text.replace(e.find, e.replace)]]))
        }
        return yield* gitDiffOf(sandbox, [...new Set(edits.map((e) => e.file))])
      })
    const bugInjectDiff = yield* edit(bug)
    const testWeakenDiff = yield* edit(weakening)
    const test = env.profile.test!
    return {
      testScript: testScriptFor(test.command),
      testFiles: env.trackedFiles.filter((f) => f.startsWith("test/")),
      testParser: builtinParserSource(test.parser),
      bugInjectDiff,
      testWeakenDiff,
      extraLayers: [],
      missing: [],
      naming: "paper"
    } satisfies BugArtifact
  }))

export const rate = (part: number, whole: number) => `${part}/${whole} (${whole === 0 ? 0 : Math.round((100 * part) / whole)}%)`

/**
 * For each strategy, injections with a few seeds on a real repository, each audited by the real auditor: at
 * least half must be valid (the rate is printed).
 */
export const injectorSuite = (profile: string, seeds: ReadonlyArray<number>) =>
  layer(proceduralEngine, { timeout: 1_800_000, excludeTestServices: true })(`procedural injector on ${profile}`, (it) => {
    for (const strategy of STRATEGIES) {
      it.effect(`${strategy}: at least half of the injections pass the auditor`, () =>
        Effect.gen(function*() {
          const env = yield* prepareProfile(profile)
          const outcomes = yield* Effect.forEach(seeds, (seed) => injectAndAudit(env, strategy, seed))
          const valid = outcomes.filter((o) => o.valid).length
          const details = outcomes.map((o) =>
            `seed ${o.seed}: ${!o.submitted ? `no submission ${o.summary}` : o.valid ? "valid" : `invalid (${o.firstFailedCheck}: ${o.summary})`}`
          ).join("\n")
          console.log(`[${profile} ${strategy}] valid ${rate(valid, seeds.length)}\n${details}`)
          assert.isAtLeast(valid * 2, seeds.length, details)
        }), { timeout: 1_200_000 })
    }
  })
