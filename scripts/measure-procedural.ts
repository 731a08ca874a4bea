/**
 * Plays the procedural policy on one repository profile, without the bank: per strategy N injections, each
 * validated by the real auditor, then G solver attempts judged like in play. Prints per bug and a summary:
 * valid %, share of valid bugs with 0 < s < 1, duplicate rate (normalised bug-diff hash), strategies represented.
 * Usage: node scripts/measure-procedural.ts [--profile js-fixture] [--n 4] [--g 8] [--strategies removal,history,direct]
 *        [--seed 1] [--solver-candidates 8] [--json out.json] [--trace DIR (artifacts and trajectories)]
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Effect, Layer } from "effect"
import { diffHash } from "../src/diff/index.ts"
import type { BugArtifact } from "../src/domain/artifact.ts"
import { GameConfig, type Strategy, STRATEGIES } from "../src/domain/game.ts"
import { Environments } from "../src/env/Environments.ts"
import { loadProfile } from "../src/env/profiles.ts"
import { BaselineCache } from "../src/execution/BaselineCache.ts"
import { DEFAULT_RUN_LIMITS, type RunLimits } from "../src/execution/testRun.ts"
import { injectBug } from "../src/phases/inject/index.ts"
import { solveAttempt } from "../src/phases/solve/index.ts"
import { validateArtifact } from "../src/phases/validate/index.ts"
import { ProceduralPolicy } from "../src/policy/procedural/ProceduralPolicy.ts"
import { WorkerPool } from "../src/pool/WorkerPool.ts"
import { SandboxLocal } from "../src/sandbox/local/SandboxLocal.ts"

const { values } = parseArgs({
  options: {
    profile: { type: "string", default: "js-fixture" },
    n: { type: "string", default: "4" },
    g: { type: "string", default: "8" },
    strategies: { type: "string", default: STRATEGIES.join(",") },
    seed: { type: "string", default: "1" },
    "solver-candidates": { type: "string" },
    json: { type: "string" },
    trace: { type: "string" }
  }
})

const strategies = values.strategies.split(",").map((s) => s.trim()) as Array<Strategy>
const perStrategy = Number(values.n)
const groupSize = Number(values.g)
const game = GameConfig.parse({
  name: "measure-procedural",
  strategies: Object.fromEntries(STRATEGIES.map((s) => [s, strategies.includes(s) ? 1 : 0])),
  groupSize,
  ...(values["solver-candidates"] === undefined ? {} : {
    budgets: { ...GameConfig.parse({ name: "x", strategies: { removal: 1, history: 1, direct: 1 } }).budgets, solverCandidates: Number(values["solver-candidates"]) }
  })
})
const limits: RunLimits = { ...DEFAULT_RUN_LIMITS, scriptTimeoutMs: game.budgets.scriptTimeoutSeconds * 1000 }

interface BugRecord {
  readonly strategy: Strategy
  readonly seed: number
  readonly submitted: boolean
  readonly valid: boolean
  readonly firstFailedCheck: string | null
  readonly hash: string | null
  readonly solveRate: number | null
  readonly files: ReadonlyArray<string>
  readonly ms: number
}

const codeFilesOf = (artifact: Omit<BugArtifact, "extraLayers">): Array<string> =>
  [...artifact.bugInjectDiff.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1] ?? "")

const playOne = (strategy: Strategy, seed: number) =>
  Effect.gen(function*() {
    const started = performance.now()
    const env = yield* (yield* Environments).prepare(yield* loadProfile(values.profile))
    const injected = yield* injectBug({ env, game, strategy, seed })
    const base = { strategy, seed, files: [] as ReadonlyArray<string> }
    if (injected.artifact === undefined) {
      return { ...base, submitted: false, valid: false, firstFailedCheck: null, hash: null, solveRate: null, ms: performance.now() - started }
    }
    const artifact: BugArtifact = { ...injected.artifact, extraLayers: [] }
    const trace = (name: string, content: unknown) => {
      if (values.trace === undefined) return
      mkdirSync(join(values.trace, `${values.profile}-${strategy}-${seed}`), { recursive: true })
      writeFileSync(join(values.trace, `${values.profile}-${strategy}-${seed}`, name), typeof content === "string" ? content : JSON.stringify(content, null, 1))
    }
    trace("injector.json", injected.trajectory)
    trace("bug_inject.diff", artifact.bugInjectDiff)
    trace("test_weaken.diff", artifact.testWeakenDiff)
    const hashed = diffHash(artifact.bugInjectDiff)
    const report = yield* validateArtifact({
      artifact, artifactPath: `<measure ${strategy} ${seed}>`, env, thresholds: game.thresholds, limits, concurrency: game.concurrency.sandboxes
    })
    let solveRate: number | null = null
    trace("validation.json", report)
    if (report.valid) {
      const outcomes = yield* Effect.forEach(
        Array.from({ length: groupSize }, (_, index) => index),
        (index) => solveAttempt({ env, game, artifact, baselineTests: report.baselineTests, limits, index, seed: seed * 1000 + index }),
        { concurrency: game.concurrency.solvers }
      )
      solveRate = outcomes.filter((o) => o.judgement.success).length / groupSize
      outcomes.forEach((o) => trace(`solver-${o.index}.json`, { judgement: { ...o.judgement, stateDiff: undefined }, patch: o.patch, trajectory: o.trajectory }))
    }
    return {
      ...base,
      files: codeFilesOf(artifact),
      submitted: true,
      valid: report.valid,
      firstFailedCheck: report.firstFailedCheck,
      hash: hashed.ok ? hashed.hash : null,
      solveRate,
      ms: performance.now() - started
    } satisfies BugRecord
  })

const pct = (part: number, whole: number) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(0)}% (${part}/${whole})`)

const summarise = (label: string, bugs: ReadonlyArray<BugRecord>) => {
  const valid = bugs.filter((b) => b.valid)
  const inBand = valid.filter((b) => b.solveRate !== null && b.solveRate > 0 && b.solveRate < 1)
  const seen = new Set<string>()
  let duplicates = 0
  for (const b of bugs) {
    if (b.hash === null) continue
    if (seen.has(b.hash)) duplicates++
    seen.add(b.hash)
  }
  const submitted = bugs.filter((b) => b.hash !== null).length
  const strategiesValid = [...new Set(valid.map((b) => b.strategy))]
  console.log(
    `${label.padEnd(10)} valid ${pct(valid.length, bugs.length).padEnd(12)} in-band ${pct(inBand.length, valid.length).padEnd(12)} ` +
      `s=0 ${valid.filter((b) => b.solveRate === 0).length} s=1 ${valid.filter((b) => b.solveRate === 1).length}  ` +
      `duplicates ${pct(duplicates, submitted).padEnd(12)} strategies ${strategiesValid.join(",") || "-"}`
  )
}

const program = Effect.gen(function*() {
  const bugs: Array<BugRecord> = []
  for (const strategy of strategies) {
    for (let i = 0; i < perStrategy; i++) {
      const seed = Number(values.seed) + i
      const bug = yield* playOne(strategy, seed)
      bugs.push(bug)
      console.log(
        `${values.profile} ${strategy.padEnd(8)} seed ${String(seed).padEnd(4)} ` +
          `${!bug.submitted ? "no submission" : bug.valid ? `valid s=${bug.solveRate?.toFixed(3)}` : `invalid (${bug.firstFailedCheck})`} ` +
          `files=${bug.files.join(",")} ${(bug.ms / 1000).toFixed(0)}s`
      )
    }
  }
  console.log(`\n${values.profile}: ${perStrategy} injection(s) per strategy, G=${groupSize}, solverCandidates=${game.budgets.solverCandidates}`)
  for (const strategy of strategies) summarise(strategy, bugs.filter((b) => b.strategy === strategy))
  summarise("all", bugs)
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(bugs, null, 2))
})

const layer = Layer.mergeAll(
  Environments.layer,
  SandboxLocal.layer,
  BaselineCache.layerFiles,
  ProceduralPolicy.layer.pipe(Layer.provide(WorkerPool.layer))
)

Effect.runPromise(program.pipe(Effect.provide(layer))).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
