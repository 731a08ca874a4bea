/**
 * Auditor speed, measured in one run (see BENCHMARKS.md):
 *   P1 = audit wall time (concurrency 1, cold baseline cache) ÷ summed wall time of the same test-suite runs
 *        done raw (bash test_script.sh 2>&1 | python3 test_parser.py on a plain checkout in the same state);
 *        target ≤ 1.10.
 *   P2 = audit wall at concurrency 2 ÷ at concurrency 1 on a bug changing ≥ 3 files; target ≤ 0.6.
 *   Also printed: the machine's floor for P2, two raw runs at once ÷ one after the other (test suites that use
 *   more than one core cannot reach 0.5 on two cores).
 * Usage: node scripts/bench-audit.ts [--repo qs --artifact DIR] [--p2-artifact DIR] [--repeat N]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { readArtifactDir } from "../src/artifacts/artifactDir.ts"
import type { BugArtifact } from "../src/domain/artifact.ts"
import { DEFAULT_THRESHOLDS, type ValidationReport } from "../src/domain/validation.ts"
import { touchedFiles, parseDiff } from "../src/diff/index.ts"
import type { PreparedEnv } from "../src/env/PreparedEnv.ts"
import { BaselineCache } from "../src/execution/BaselineCache.ts"
import { DEFAULT_RUN_LIMITS } from "../src/execution/testRun.ts"
import { validateArtifact } from "../src/phases/validate/index.ts"
import { engineLayerWith, prepareProfile } from "../test/support/engine.ts"
import { SandboxLocal } from "../src/sandbox/local/SandboxLocal.ts"
import { sandboxPath } from "../src/sandbox/local/bwrap.ts"

const { values } = parseArgs({
  options: {
    repo: { type: "string", default: "qs" },
    artifact: { type: "string", default: "test/fixtures/artifacts/qs/valid-three-files" },
    "p2-artifact": { type: "string" },
    repeat: { type: "string", default: "3" }
  }
})
const repeat = Number(values.repeat)
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A plain host checkout of the prepared repo with the artifact's files beside it; removed however `use` ends. */
const withRawCheckout = async <A>(env: PreparedEnv, artifact: BugArtifact, use: (dir: string, repo: string) => A | Promise<A>): Promise<A> => {
  const dir = mkdtempSync(join(tmpdir(), "ssr-bench-raw-"))
  try {
    const repo = join(dir, "repo")
    execFileSync("git", ["clone", "--quiet", "--shared", env.repoDir, repo])
    for (const shared of env.sharedDirs) execFileSync("ln", ["-s", join(env.repoDir, shared), join(repo, shared)])
    writeFileSync(join(dir, "test_script.sh"), artifact.testScript)
    writeFileSync(join(dir, "test_parser.py"), artifact.testParser)
    writeFileSync(join(dir, "bug.diff"), artifact.bugInjectDiff)
    writeFileSync(join(dir, "weaken.diff"), artifact.testWeakenDiff)
    return await use(dir, repo)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same interpreters as inside sandboxes (Node 22 of node_modules, Debian's python3), run directly. */
const rawEnv = (home: string) => ({ PATH: sandboxPath(false), HOME: home, LANG: "C.UTF-8", CI: "1", NO_COLOR: "1" })

/** The audit's runs, redone raw on a host checkout: state set up (untimed), then only script + parser timed. */
const rawRuns = (env: PreparedEnv, artifact: BugArtifact): Promise<number> =>
  withRawCheckout(env, artifact, (dir, repo) => {
    const git = (...args: Array<string>) => execFileSync("git", args, { cwd: repo, stdio: "ignore" })
    const reset = () => git("checkout", "--quiet", "--force", "HEAD")
    const timed = () => {
      const started = performance.now()
      const r = spawnSync("bash", ["-c", `bash ${dir}/test_script.sh 2>&1 </dev/null | python3 ${dir}/test_parser.py > /dev/null`], { cwd: repo, stdio: "ignore", env: rawEnv(dir) })
      if (r.status !== 0) throw new Error("raw run failed")
      return performance.now() - started
    }
    const files = touchedFiles((parseDiff(artifact.bugInjectDiff) as { files: Parameters<typeof touchedFiles>[0] }).files)
    let total = timed() + timed() // baseline ×2
    git("apply", join(dir, "bug.diff"))
    total += timed() + timed() // bug ×2
    git("apply", join(dir, "weaken.diff"))
    total += timed() // weakened
    for (const file of files) {
      reset()
      git("apply", join(dir, "bug.diff"))
      git("checkout", "--quiet", "HEAD", "--", file)
      total += timed()
    }
    return total
  })

/** Two raw baseline runs at once ÷ the same two one after the other (what concurrency 2 can gain here at best). */
const rawParallelFloor = (env: PreparedEnv, artifact: BugArtifact): Promise<number> =>
  withRawCheckout(env, artifact, async (dir, repo) => {
    const once = () => new Promise<void>((done) => {
      spawn("bash", [join(dir, "test_script.sh")], { cwd: repo, stdio: "ignore", env: rawEnv(dir) }).once("exit", () => done())
    })
    const ratios: Array<number> = []
    for (let i = 0; i < 3; i++) {
      let started = performance.now()
      await once()
      await once()
      const sequential = performance.now() - started
      started = performance.now()
      await Promise.all([once(), once()])
      ratios.push((performance.now() - started) / sequential)
    }
    return median(ratios)
  })

const audit = (env: PreparedEnv, dir: string, artifact: BugArtifact, concurrency: number) =>
  Effect.gen(function*() {
    const started = performance.now()
    const report: ValidationReport = yield* validateArtifact({
      artifact, artifactPath: dir, env, thresholds: DEFAULT_THRESHOLDS, limits: DEFAULT_RUN_LIMITS, concurrency
    })
    if (!report.valid) throw new Error(`benchmark artifact ${dir} is not valid: ${report.firstFailedCheck}`)
    return { ms: performance.now() - started, runs: report.runs.length }
  })

const program = Effect.gen(function*() {
  const env = yield* prepareProfile(values.repo)
  const p1Dir = resolve(values.artifact)
  const p2Dir = resolve(values["p2-artifact"] ?? values.artifact)
  const { artifact: p1Artifact } = yield* readArtifactDir(p1Dir)
  const { artifact: p2Artifact } = yield* readArtifactDir(p2Dir)
  const p2Files = touchedFiles((parseDiff(p2Artifact.bugInjectDiff) as { files: Parameters<typeof touchedFiles>[0] }).files).length
  yield* audit(env, p1Dir, p1Artifact, 1) // warm-up: file caches, bwrap, python
  const raw: Array<number> = [], c1: Array<number> = [], c2: Array<number> = [], p2c1: Array<number> = []
  for (let i = 0; i < repeat; i++) {
    raw.push(yield* Effect.promise(() => rawRuns(env, p1Artifact)))
    c1.push((yield* audit(env, p1Dir, p1Artifact, 1)).ms)
    c2.push((yield* audit(env, p2Dir, p2Artifact, 2)).ms)
    p2c1.push(p2Dir === p1Dir ? c1[c1.length - 1]! : (yield* audit(env, p2Dir, p2Artifact, 1)).ms)
  }
  const floor = yield* Effect.promise(() => rawParallelFloor(env, p2Artifact))
  const p1 = median(c1) / median(raw)
  const p2 = median(c2) / median(p2c1)
  console.log(`repo ${values.repo}; P1 artifact ${values.artifact}; P2 artifact (${p2Files} files) ${values["p2-artifact"] ?? values.artifact}; ${repeat} repeats, medians`)
  console.log(`raw runs summed      ${(median(raw) / 1000).toFixed(2)} s`)
  console.log(`audit concurrency 1  ${(median(c1) / 1000).toFixed(2)} s`)
  console.log(`audit concurrency 2  ${(median(c2) / 1000).toFixed(2)} s (P2 artifact at 1: ${(median(p2c1) / 1000).toFixed(2)} s)`)
  console.log(`P1 = ${p1.toFixed(3)} (target <= 1.10)`)
  console.log(`P2 = ${p2.toFixed(3)} (target <= 0.60; this machine's floor, 2 raw runs at once / in a row: ${floor.toFixed(3)})`)
})

Effect.runPromise(program.pipe(Effect.provide(engineLayerWith(SandboxLocal.layer, BaselineCache.layerDisabled)))).catch((e) => {
  console.error(e)
  process.exit(1)
})
