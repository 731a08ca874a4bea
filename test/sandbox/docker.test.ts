import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { assert, layer } from "@effect/vitest"
import Docker from "dockerode"
import { Effect, Exit } from "effect"
import { afterAll } from "vitest"
import { SandboxDocker } from "../../src/sandbox/docker/SandboxDocker.ts"
import { type Sandbox, SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { describeDocker, engineContainers, makePreparedEnv, removeTempDirs } from "./dockerSupport.ts"

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8"))
const run = (sandbox: Sandbox, script: string, timeoutMs = 30_000) =>
  sandbox.exec({ argv: ["bash", "-c", script], timeoutMs })
/** Processes of the sandbox other than its init, its sleeper and the `ps` itself. */
const strayProcesses = (sandbox: Sandbox) =>
  run(sandbox, "ps -eo pid=,args= | grep -v -e docker-init -e 'sleep infinity' -e 'ps -eo' -e ssr-exec -e grep || true")
    .pipe(Effect.map((r) => r.stdout.trim()))
const sandboxContainers = (id: string) => Effect.promise(() => engineContainers(`ssr.sandbox=${id}`))

describeDocker("SandboxDocker", () => {
  const env = makePreparedEnv()
  afterAll(async () => {
    removeTempDirs()
    // Every container this test process made is gone once the layers are closed.
    const left = await engineContainers(`ssr.owner-pid=${process.pid}`)
    assert.deepStrictEqual(left.map((c) => c.Names), [])
  })

  layer(SandboxDocker.layer, { timeout: 600_000, excludeTestServices: true })("default limits", (it) => {
    it.effect("runs commands in its own copy of the prepared repository", () =>
      Effect.gen(function*() {
        const provider = yield* SandboxProvider
        assert.strictEqual(provider.backend, "docker")
        assert.include(provider.isolation, { backend: "docker", tool: "docker", network: "none" })
        assert.deepStrictEqual(provider.isolation.limits, { memoryBytes: 2 * 1024 ** 3, pids: 512, cpus: 1 })
        const sandbox = yield* provider.acquire(env)
        assert.strictEqual(sandbox.repoDir, "/repo")
        assert.strictEqual(sandbox.workDir, "/ssr")
        const r = yield* run(sandbox, "pwd; git rev-parse HEAD; git status --porcelain; node test/run.js; readlink add-link.js; bin/tool.sh; cat node_modules/dep/index.js; test -d /ssr && echo ssr; echo oops >&2; exit 7")
        assert.strictEqual(r.exitCode, 7)
        assert.strictEqual(r.signal, null)
        assert.strictEqual(r.stdout, `/repo\n${env.rev}\nok 1\nsrc/add.js\ntool ran\nmodule.exports = 'dep'\nssr\n`)
        assert.strictEqual(r.stderr, "oops\n")
        assert.strictEqual(r.stdoutBytes, Buffer.byteLength(r.stdout))
        assert.isFalse(r.timedOut || r.outputCapped)
        // Shared directories come from a read-only volume.
        const ro = yield* run(sandbox, "touch node_modules/x 2>&1; rm -rf node_modules/dep 2>/dev/null; cat node_modules/dep/index.js")
        assert.include(ro.stdout, "Read-only file system")
        assert.include(ro.stdout, "module.exports = 'dep'")
        const missing = yield* sandbox.exec({ argv: ["no-such-command-xyz"], timeoutMs: 10_000 })
        assert.strictEqual(missing.exitCode, 127)
      }))

    it.effect("scrubs the environment, adds the request's and honours cwd", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({ argv: ["env"], env: { EXTRA: "x y" }, cwd: "/ssr", timeoutMs: 10_000 })
        const vars = new Map(r.stdout.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]))
        assert.strictEqual(vars.get("PATH"), "/usr/local/bin:/usr/bin:/bin")
        assert.strictEqual(vars.get("HOME"), "/tmp/home")
        assert.strictEqual(vars.get("LANG"), "C.UTF-8")
        assert.strictEqual(vars.get("CI"), "1")
        assert.strictEqual(vars.get("EXTRA"), "x y")
        assert.strictEqual(vars.get("FIXTURE_PROFILE_VAR"), "from-profile")
        assert.strictEqual(vars.get("PWD"), "/ssr")
        for (const leaked of ["VITEST", "NODE_OPTIONS", "npm_config_cache", "DOCKER_HOST"]) assert.isFalse(vars.has(leaked), leaked)
        const sub = yield* sandbox.exec({ argv: ["pwd"], cwd: "src", timeoutMs: 10_000 })
        assert.strictEqual(sub.stdout, "/repo/src\n")
      }))

    it.effect("feeds stdin and closes it", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const big = "line\n".repeat(200_000)
        const r = yield* sandbox.exec({ argv: ["wc", "-l"], stdin: big, timeoutMs: 30_000 })
        assert.strictEqual(r.stdout.trim(), "200000")
        const none = yield* sandbox.exec({ argv: ["cat"], timeoutMs: 10_000 })
        assert.strictEqual(none.exitCode, 0)
        assert.strictEqual(none.stdout, "")
      }))

    it.effect("reads and writes files by tar streams", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const binary = new Uint8Array(Array.from({ length: 256 }, (_, i) => i))
        yield* sandbox.writeFile("/ssr/deep/er/bin.dat", binary)
        assert.deepStrictEqual(yield* sandbox.readFile("/ssr/deep/er/bin.dat"), binary)
        yield* sandbox.writeFile("/ssr/run.sh", "#!/bin/sh\necho script ran\n", { mode: 0o755 })
        const r = yield* run(sandbox, "stat -c %a /ssr/run.sh; /ssr/run.sh")
        assert.strictEqual(r.stdout, "755\nscript ran\n")
        yield* sandbox.writeFile("src/add.js", "exports.add = (a, b) => a - b\n")
        assert.strictEqual(text(yield* sandbox.readFile("/repo/src/add.js")), "exports.add = (a, b) => a - b\n")
        assert.strictEqual((yield* run(sandbox, "node test/run.js")).stdout, "not ok 1\n")
        assert.strictEqual(yield* sandbox.readFile("/repo/nope.txt"), undefined)
        assert.strictEqual(yield* sandbox.readFile("/nowhere/at/all"), undefined)
        const dir = yield* Effect.flip(sandbox.readFile("/repo/src"))
        assert.strictEqual(dir._tag, "SandboxError")
      }))

    it.effect("a timeout kills the command's whole tree", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* run(sandbox, "sleep 300 & setsid sleep 301 & (sleep 302 &); echo started; sleep 303", 1_500)
        assert.isTrue(r.timedOut)
        assert.strictEqual(r.exitCode, null)
        assert.strictEqual(r.signal, "SIGKILL")
        assert.strictEqual(r.stdout, "started\n")
        assert.isBelow(r.durationMs, 1_500 + 3_000)
        assert.strictEqual(yield* strayProcesses(sandbox), "")
        // Orphans of a command that exited normally are killed too.
        yield* run(sandbox, "sleep 304 & setsid sleep 305 & echo done")
        assert.strictEqual(yield* strayProcesses(sandbox), "")
      }))

    it.effect("when the killer cannot find the tree, the container is restarted and its files kept", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        yield* sandbox.writeFile("/ssr/kept.txt", "kept")
        // The command destroys the pid files the killer relies on.
        const r = yield* run(sandbox, "rm -rf /run/ssr-exec; sleep 309", 1_000)
        assert.isTrue(r.timedOut)
        assert.isBelow(r.durationMs, 1_000 + 5_000)
        assert.strictEqual(yield* strayProcesses(sandbox), "")
        assert.strictEqual(text(yield* sandbox.readFile("/ssr/kept.txt")), "kept")
      }))

    it.effect("caps each stream, keeps the prefix and kills the producer", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({ argv: ["bash", "-c", "echo small; yes err >&2"], timeoutMs: 30_000, maxOutputBytes: 1000 })
        assert.isTrue(r.outputCapped)
        assert.isFalse(r.timedOut)
        assert.strictEqual(r.stdout, "small\n")
        assert.strictEqual(r.stderr, "err\n".repeat(250))
        assert.isAbove(r.stderrBytes, 1000)
        assert.strictEqual(yield* strayProcesses(sandbox), "")
      }))

    it.effect("an interrupted exec leaves no process behind and the sandbox usable", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const timedOut = yield* run(sandbox, "sleep 306 & sleep 307").pipe(Effect.timeout("700 millis"), Effect.flip)
        assert.strictEqual(timedOut._tag, "TimeoutError")
        assert.strictEqual(yield* strayProcesses(sandbox), "")
        assert.strictEqual((yield* run(sandbox, "echo still here")).stdout, "still here\n")
      }))

    it.effect("sandboxes are independent and removed on success, failure and interruption", () =>
      Effect.gen(function*() {
        const provider = yield* SandboxProvider
        let id = ""
        yield* Effect.scoped(Effect.gen(function*() {
          const a = yield* provider.acquire(env, { purpose: "test-a" })
          const b = yield* provider.acquire(env)
          id = a.id
          yield* a.writeFile("/repo/src/add.js", "changed")
          assert.strictEqual(text(yield* b.readFile("/repo/src/add.js")), "exports.add = (a, b) => a + b\n")
          assert.strictEqual((yield* sandboxContainers(a.id))[0]?.Labels["ssr.purpose"], "test-a")
        }))
        assert.lengthOf(yield* sandboxContainers(id), 0)
        const failed = yield* Effect.scoped(Effect.gen(function*() {
          id = (yield* provider.acquire(env)).id
          return yield* Effect.fail("boom")
        })).pipe(Effect.exit)
        assert.isTrue(Exit.isFailure(failed))
        assert.lengthOf(yield* sandboxContainers(id), 0)
        const started = performance.now()
        const interrupted = yield* Effect.scoped(Effect.gen(function*() {
          const sandbox = yield* provider.acquire(env)
          id = sandbox.id
          return yield* run(sandbox, "sleep 308")
        })).pipe(Effect.timeout("1500 millis"), Effect.exit)
        assert.isTrue(Exit.isFailure(interrupted))
        assert.isBelow(performance.now() - started, 15_000)
        assert.lengthOf(yield* sandboxContainers(id), 0)
      }))

    it.effect("concurrent acquires of a new env build its image once", () =>
      Effect.gen(function*() {
        const provider = yield* SandboxProvider
        const fresh = makePreparedEnv(undefined, randomBytes(6).toString("hex"))
        const images = () => Effect.promise(() => new Docker().listImages({ all: true, filters: { label: [`ssr.env=${fresh.key}`] } }))
        const outputs = yield* Effect.scoped(Effect.forEach([1, 2, 3], () =>
          provider.acquire(fresh).pipe(Effect.flatMap((s) => run(s, "node test/run.js"))), { concurrency: "unbounded" }))
        assert.deepStrictEqual(outputs.map((r) => r.stdout), ["ok 1\n", "ok 1\n", "ok 1\n"])
        const built = yield* images()
        assert.lengthOf(built, 1)
        assert.deepStrictEqual(built[0]?.RepoTags, [`ssr-env:${fresh.key}`])
        assert.include(built[0]?.Labels, { "ssr.engine": "1", "ssr.env": fresh.key, "ssr.profile": "docker-fixture" })
        // Reused, not rebuilt, by the next acquire.
        yield* Effect.scoped(provider.acquire(fresh))
        assert.lengthOf(yield* images(), 1)
        yield* Effect.promise(async () => {
          const docker = new Docker()
          await docker.getImage(`ssr-env:${fresh.key}`).remove()
          const { Volumes } = await docker.listVolumes({ filters: { label: [`ssr.env=${fresh.key}`] } })
          assert.lengthOf(Volumes, 1)
          for (const v of Volumes) await docker.getVolume(v.Name).remove()
        })
      }))

    it.effect("has no network", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({
          argv: ["python3", "-c", [
            "import socket, urllib.request",
            "print([n for _, n in socket.if_nameindex()])",
            "try:\n    urllib.request.urlopen('http://deb.debian.org/debian/', timeout=5)\n    print('reached')\nexcept Exception as e:\n    print('failed', type(e).__name__)"
          ].join("\n")],
          timeoutMs: 30_000
        })
        assert.strictEqual(r.stdout.split("\n")[0], "['lo']")
        assert.match(r.stdout, /^failed /m)
        assert.notMatch(r.stdout, /reached/)
      }))

    it.effect("a write to / outside the repository is harmless to the host and to other sandboxes", () =>
      Effect.gen(function*() {
        const provider = yield* SandboxProvider
        const tag = randomBytes(6).toString("hex")
        const hostile = yield* provider.acquire(env)
        const r = yield* run(hostile, `echo pwned > /pwned-${tag} && echo pwned > /etc/pwned-${tag} && echo pwned > /usr/local/bin/node && echo wrote`)
        assert.strictEqual(r.stdout, "wrote\n")
        assert.isFalse(existsSync(`/pwned-${tag}`))
        assert.isFalse(existsSync(`/etc/pwned-${tag}`))
        const other = yield* provider.acquire(env)
        assert.strictEqual(yield* other.readFile(`/pwned-${tag}`), undefined)
        assert.strictEqual((yield* run(other, "node -e 'console.log(1 + 1)'")).stdout, "2\n")
      }))
  })

  layer(SandboxDocker.layerWith({ memoryBytes: 256 * 1024 ** 2, pids: 128 }), { timeout: 600_000, excludeTestServices: true })("hostile commands", (it) => {
    it.effect("a fork bomb is stopped by the pids limit and killed on timeout", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({ argv: ["bash", "-c", ":(){ :|:& };:; sleep 100"], timeoutMs: 4_000, maxOutputBytes: 1024 * 1024 })
        assert.isTrue(r.timedOut || r.outputCapped)
        assert.match(r.stderr, /Resource temporarily unavailable|retry/)
        assert.strictEqual(yield* strayProcesses(sandbox), "")
        assert.strictEqual((yield* run(sandbox, "echo alive")).stdout, "alive\n")
      }))

    it.effect("an endless loop times out and is killed", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({ argv: ["bash", "-c", "while :; do :; done & node -e 'for (;;) {}'"], timeoutMs: 1_500 })
        assert.isTrue(r.timedOut)
        assert.isBelow(r.durationMs, 1_500 + 3_000)
        assert.strictEqual(yield* strayProcesses(sandbox), "")
      }))

    it.effect("a memory hog is OOM-killed and comes back as a result", () =>
      Effect.gen(function*() {
        const sandbox = yield* (yield* SandboxProvider).acquire(env)
        const r = yield* sandbox.exec({ argv: ["python3", "-c", "b = b'x' * (1 << 30); print('survived')"], timeoutMs: 60_000 })
        assert.strictEqual(r.exitCode, 137)
        assert.isFalse(r.timedOut)
        assert.notInclude(r.stdout, "survived")
        assert.strictEqual((yield* run(sandbox, "echo alive")).stdout, "alive\n")
      }))
  })
})
