/**
 * P3 benchmark of the Docker sandbox backend: median over N runs of (acquire + exec `true` + release) divided by
 * the median of `docker run --rm <image> true` (the docker CLI) measured in the same run on the same image.
 * Usage: npx node scripts/bench-docker.ts [--runs N] (default 12). Needs scripts/docker-setup.sh and
 * scripts/build-base-image.sh to have run.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import type { PreparedEnv } from "../src/env/PreparedEnv.ts"
import { envImageName } from "../src/sandbox/docker/envImage.ts"
import { SandboxDocker } from "../src/sandbox/docker/SandboxDocker.ts"
import { SandboxProvider } from "../src/sandbox/Sandbox.ts"

const runsArg = process.argv.indexOf("--runs")
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 12
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a positive integer")

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const fmt = (xs: ReadonlyArray<number>) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`

// A small prepared repository: the benchmark measures sandbox overhead, not copying.
const repo = mkdtempSync(join(tmpdir(), "ssr-bench-repo-"))
writeFileSync(join(repo, "index.js"), "module.exports = 1\n")
const git = (...args: Array<string>) => execFileSync("git", ["-C", repo, ...args], { stdio: "ignore" })
git("init", "-q")
git("add", ".")
git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "bench")
const rev = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim()
const env: PreparedEnv = {
  key: "bench-docker-v1",
  profile: { name: "bench", language: "javascript", source: { kind: "local", path: repo, rev: "HEAD" }, install: { testDependencies: [], commands: [] }, testFiles: ["test/**"], env: {} },
  repoDir: repo,
  rev,
  sharedDirs: [],
  snapshotTar: join(repo, "unused.tar"),
  trackedFiles: ["index.js"]
}

const program = Effect.gen(function*() {
  const provider = yield* SandboxProvider
  const phases = { acquire: [] as Array<number>, exec: [] as Array<number>, release: [] as Array<number> }
  const once = Effect.gen(function*() {
    const t0 = performance.now()
    let t1 = t0
    let t2 = t0
    yield* Effect.scoped(Effect.gen(function*() {
      const sandbox = yield* provider.acquire(env, { purpose: "bench" })
      t1 = performance.now()
      const result = yield* sandbox.exec({ argv: ["true"], timeoutMs: 30_000 })
      t2 = performance.now()
      if (result.exitCode !== 0) return yield* Effect.die(new Error(`true exited ${result.exitCode}`))
    }))
    const t3 = performance.now()
    phases.acquire.push(t1 - t0)
    phases.exec.push(t2 - t1)
    phases.release.push(t3 - t2)
    return t3 - t0
  })
  yield* once // builds (or finds) the env image; not measured
  for (const key of Object.keys(phases) as Array<keyof typeof phases>) phases[key].length = 0
  const image = envImageName(env.key)
  const ours: Array<number> = []
  const cli: Array<number> = []
  const cliNoNet: Array<number> = []
  const timeCli = (args: Array<string>) => {
    const t = performance.now()
    execFileSync("docker", ["run", "--rm", ...args, image, "true"], { stdio: "ignore" })
    return performance.now() - t
  }
  // Interleaved so all three see the same machine state.
  for (let i = 0; i < runs; i++) {
    ours.push(yield* once)
    cli.push(timeCli([]))
    cliNoNet.push(timeCli(["--network", "none"]))
  }
  const p3 = median(ours) / median(cli)
  console.log(`runs: ${runs}, image: ${image}, docker ${execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" }).trim()}`)
  console.log(`acquire + exec true + release: ${fmt(ours)}`)
  console.log(`  acquire ${fmt(phases.acquire)}; exec ${fmt(phases.exec)}; release ${fmt(phases.release)}`)
  console.log(`docker run --rm ${image} true: ${fmt(cli)}`)
  console.log(`(reference, not P3) docker run --rm --network none ${image} true: ${fmt(cliNoNet)}`)
  console.log(`P3 = ${p3.toFixed(2)} (target <= 1.3); against --network none: ${(median(ours) / median(cliNoNet)).toFixed(2)}`)
})

try {
  await Effect.runPromise(program.pipe(Effect.provide(SandboxDocker.layer)))
} finally {
  rmSync(repo, { recursive: true, force: true })
}
