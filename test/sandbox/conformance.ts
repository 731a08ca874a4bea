import { existsSync } from "node:fs"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { Environments } from "../../src/env/Environments.ts"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { applyDiff, restoreFiles } from "../../src/sandbox/repoOps.ts"
import { type Sandbox, SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { prepareProfile } from "../support/engine.ts"

export interface ConformanceOptions {
  /** True once the backend has released the sandbox (directory deleted, container removed, …). */
  readonly isReleased: (sandbox: Sandbox) => Effect.Effect<boolean>
}

const decode = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))

const sh = (sandbox: Sandbox, script: string, extra: { timeoutMs?: number; stdin?: string; maxOutputBytes?: number } = {}) =>
  sandbox.exec({ argv: ["bash", "-c", script], timeoutMs: extra.timeoutMs ?? 30_000, stdin: extra.stdin, maxOutputBytes: extra.maxOutputBytes })

/**
 * The contract every Sandbox backend must meet, run against each backend's layer (GAME.md: untrusted code runs
 * only inside sandboxes). Uses the JS fixture (no dependencies) and qs (node_modules shared read-only).
 */
export const sandboxConformance = (name: string, provider: Layer.Layer<SandboxProvider>, options: ConformanceOptions) =>
  layer(Layer.mergeAll(Environments.layer, provider), { timeout: 600_000, excludeTestServices: true })(`Sandbox conformance: ${name}`, (it) => {
    const withSandbox = <A, E>(use: (sandbox: Sandbox, env: PreparedEnv) => Effect.Effect<A, E>, profile = "js-fixture") =>
      Effect.gen(function*() {
        const env = yield* prepareProfile(profile)
        return yield* Effect.scoped(Effect.gen(function*() {
          const sandbox = yield* (yield* SandboxProvider).acquire(env)
          return yield* use(sandbox, env)
        }))
      })

    it.effect("exec: exit code, separate stdout/stderr, stdin, cwd at the repo root", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const r = yield* sh(sandbox, "echo out; echo err >&2; cat; pwd; exit 3", { stdin: "from-stdin\n" })
        assert.strictEqual(r.exitCode, 3)
        assert.strictEqual(r.stdout, `out\nfrom-stdin\n${sandbox.repoDir}\n`)
        assert.strictEqual(r.stderr, "err\n")
        assert.isFalse(r.timedOut)
        assert.isFalse(r.outputCapped)
      })))

    it.effect("tools: node >= 22, python3, git with the original history, a clean work tree", () =>
      withSandbox((sandbox, env) => Effect.gen(function*() {
        const r = yield* sh(sandbox, "node -p process.versions.node; python3 -c 'print(1+1)'; git rev-parse HEAD; git status --porcelain | wc -l; git log --oneline | wc -l")
        const [node, py, head, dirty, commits] = r.stdout.trim().split("\n")
        assert.isAtLeast(Number(node!.split(".")[0]), 22, r.stderr)
        assert.strictEqual(py, "2")
        assert.strictEqual(head, env.rev)
        assert.strictEqual(dirty, "0")
        assert.isAbove(Number(commits), 5)
      })))

    it.effect("environment is scrubbed: engine variables do not leak in", () =>
      Effect.gen(function*() {
        process.env["SSR_CONFORMANCE_SECRET"] = "leaked"
        const r = yield* withSandbox((sandbox) => sh(sandbox, "env"))
        assert.notInclude(r.stdout, "SSR_CONFORMANCE_SECRET")
        assert.notInclude(r.stdout, "leaked")
        assert.include(r.stdout, "HOME=")
      }))

    it.effect("a timeout kills the whole process tree", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const started = performance.now()
        const r = yield* sh(sandbox, `(sleep 3; echo alive > ${sandbox.workDir}/alive) & (setsid bash -c 'sleep 3; echo alive > ${sandbox.workDir}/alive2') & sleep 600`, { timeoutMs: 1_000 })
        assert.isTrue(r.timedOut)
        assert.isBelow(performance.now() - started, 10_000)
        yield* Effect.sleep("4 seconds")
        assert.isUndefined(yield* sandbox.readFile(`${sandbox.workDir}/alive`))
        assert.isUndefined(yield* sandbox.readFile(`${sandbox.workDir}/alive2`))
      })), { timeout: 60_000 })

    it.effect("phases: a marker on stderr restarts the deadline with that phase's limit", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const phases = [{ stderrMarker: "PHASE-TWO\n", timeoutMs: 1_000 }]
        // A long first limit, a short second phase: killed soon after the marker.
        let started = performance.now()
        const cut = yield* sandbox.exec({ argv: ["bash", "-c", "printf 'PHASE-TWO\\n' >&2; sleep 600"], timeoutMs: 600_000, phases })
        assert.isTrue(cut.timedOut)
        assert.isBelow(performance.now() - started, 20_000)
        // A short first limit, a longer second phase: the marker in time saves the command.
        started = performance.now()
        const saved = yield* sandbox.exec({
          argv: ["bash", "-c", "printf 'PHASE-TWO\\n' >&2; sleep 7; echo done"], timeoutMs: 5_000,
          phases: [{ stderrMarker: "PHASE-TWO\n", timeoutMs: 30_000 }]
        })
        assert.isFalse(saved.timedOut)
        assert.strictEqual(saved.stdout, "done\n")
      })), { timeout: 60_000 })

    it.effect("output past the cap is cut and the process killed", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const started = performance.now()
        const r = yield* sh(sandbox, "yes flood", { maxOutputBytes: 1024 * 1024, timeoutMs: 60_000 })
        assert.isTrue(r.outputCapped)
        assert.isFalse(r.timedOut)
        assert.strictEqual(r.stdout.length, 1024 * 1024)
        assert.isBelow(performance.now() - started, 20_000)
      })))

    it.effect("no network; writes outside the repo do not reach the host", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const marker = `ssr-conformance-${process.pid}`
        const r = yield* sh(sandbox, [
          `node -e "fetch('https://registry.npmjs.org/').then(() => console.log('NET-OK'), () => console.log('NET-FAIL'))"`,
          `echo x > /etc/${marker} 2>/dev/null; echo x > /${marker} 2>/dev/null; echo x > /tmp/${marker}; echo x > ../${marker} 2>/dev/null; true`
        ].join("\n"), { timeoutMs: 60_000 })
        if (sandbox.isolation.network !== "host") assert.include(r.stdout, "NET-FAIL")
        if (sandbox.isolation.tool !== "none") {
          for (const place of [`/etc/${marker}`, `/${marker}`, `/tmp/${marker}`]) assert.isFalse(existsSync(place), place)
        }
      })))

    it.effect("readFile / writeFile round-trip bytes and create directories", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const bytes = new Uint8Array([0, 1, 2, 255, 10, 13])
        yield* sandbox.writeFile(`${sandbox.repoDir}/deep/er/file.bin`, bytes)
        assert.deepStrictEqual([...((yield* sandbox.readFile(`${sandbox.repoDir}/deep/er/file.bin`)) ?? [])], [...bytes])
        yield* sandbox.writeFile(`${sandbox.workDir}/run.sh`, "echo ran\n", { mode: 0o755 })
        assert.strictEqual((yield* sandbox.exec({ argv: [`${sandbox.workDir}/run.sh`], timeoutMs: 10_000 })).stdout, "ran\n")
        assert.isUndefined(yield* sandbox.readFile(`${sandbox.repoDir}/does/not/exist`))
        yield* sandbox.writeFiles([
          { path: `${sandbox.workDir}/batch/a.sh`, content: "echo a\n", mode: 0o755 },
          { path: `${sandbox.repoDir}/batch/b.txt`, content: bytes }
        ])
        assert.strictEqual((yield* sandbox.exec({ argv: [`${sandbox.workDir}/batch/a.sh`], timeoutMs: 10_000 })).stdout, "a\n")
        assert.deepStrictEqual([...((yield* sandbox.readFile(`${sandbox.repoDir}/batch/b.txt`)) ?? [])], [...bytes])
        assert.strictEqual(decode(yield* sandbox.readFile(`${sandbox.repoDir}/package.json`))?.includes("\"type\""), true)
      })))

    it.effect("a symlink planted inside cannot lead the engine's writes out of the sandbox", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const target = `/tmp/ssr-conformance-victim-${process.pid}`
        yield* sh(sandbox, `ln -s ${target} ${sandbox.workDir}/trap; ln -s /etc ${sandbox.repoDir}/etc-link`)
        const a = yield* Effect.exit(sandbox.writeFile(`${sandbox.workDir}/trap`, "owned"))
        const b = yield* Effect.exit(sandbox.writeFile(`${sandbox.repoDir}/etc-link/ssr-owned`, "owned"))
        assert.isFalse(existsSync(target))
        assert.isFalse(existsSync("/etc/ssr-owned"))
        assert.isTrue(Exit.isFailure(a) || !existsSync(target))
        assert.isTrue(Exit.isFailure(b) || !existsSync("/etc/ssr-owned"))
      })))

    it.effect("sandboxes are independent copies; the prepared repo is never modified", () =>
      Effect.gen(function*() {
        const env = yield* prepareProfile("js-fixture")
        const provider = yield* SandboxProvider
        yield* Effect.scoped(Effect.gen(function*() {
          const a = yield* provider.acquire(env)
          const b = yield* provider.acquire(env)
          yield* sh(a, "echo changed > README.md; rm -rf src; echo new > new-file")
          const seen = yield* sh(b, "cat README.md | head -1; ls src | wc -l; ls new-file 2>&1 | head -1")
          assert.notInclude(seen.stdout, "changed")
          assert.notInclude(seen.stdout, "\nnew-file\n")
        }))
        assert.isTrue(existsSync(`${env.repoDir}/src`))
      }))

    it.effect("shared dependency directories are present and read-only", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const r = yield* sh(sandbox, "ls node_modules | wc -l; touch node_modules/x 2>/dev/null && echo WRITABLE || echo READONLY; node_modules/.bin/tape --help >/dev/null 2>&1; echo tape=$?")
        const [count, writable] = r.stdout.trim().split("\n")
        assert.isAbove(Number(count), 5)
        if (sandbox.isolation.tool !== "none") assert.strictEqual(writable, "READONLY")
      }), "qs"))

    it.effect("git apply, reverse, restore work inside; a bad diff is a verdict", () =>
      withSandbox((sandbox) => Effect.gen(function*() {
        const original = decode(yield* sandbox.readFile(`${sandbox.repoDir}/package.json`))!
        yield* sh(sandbox, "sed -i 's/\"type\"/\"TYPE\"/' package.json")
        const diff = (yield* sh(sandbox, "git diff")).stdout
        yield* sh(sandbox, "git checkout -q -- package.json")
        assert.isTrue((yield* applyDiff(sandbox, diff)).ok)
        assert.include(decode(yield* sandbox.readFile(`${sandbox.repoDir}/package.json`))!, "\"TYPE\"")
        assert.isTrue((yield* restoreFiles(sandbox, ["package.json"])).ok)
        assert.strictEqual(decode(yield* sandbox.readFile(`${sandbox.repoDir}/package.json`)), original)
        const bad = yield* applyDiff(sandbox, diff.replace(/"type"/g, "\"nope\""))
        assert.isFalse(bad.ok)
      })))

    it.effect("released on success, on failure and on interruption", () =>
      Effect.gen(function*() {
        const env = yield* prepareProfile("js-fixture")
        const provider = yield* SandboxProvider
        const seen: Array<Sandbox> = []
        const use = (f: (s: Sandbox) => Effect.Effect<unknown, unknown>) =>
          Effect.scoped(provider.acquire(env).pipe(Effect.tap((s) => Effect.sync(() => seen.push(s))), Effect.flatMap(f)))
        assert.isTrue(Exit.isSuccess(yield* Effect.exit(use(() => Effect.void))))
        assert.isTrue(Exit.isFailure(yield* Effect.exit(use(() => Effect.fail("boom")))))
        const fiber = yield* Effect.forkChild(use((s) => sh(s, "sleep 600", { timeoutMs: 600_000 })))
        while (seen.length < 3) yield* Effect.sleep("100 millis")
        yield* Effect.sleep("1 second")
        const started = performance.now()
        yield* Fiber.interrupt(fiber)
        assert.isBelow(performance.now() - started, 15_000)
        assert.strictEqual(seen.length, 3)
        for (const s of seen) assert.isTrue(yield* options.isReleased(s), `${s.id} not released`)
      }), { timeout: 120_000 })
  })
