import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, layer } from "@effect/vitest"
import Docker from "dockerode"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { gcDocker } from "../../src/sandbox/docker/gc.ts"
import { SandboxDocker } from "../../src/sandbox/docker/SandboxDocker.ts"
import { SandboxProvider } from "../../src/sandbox/Sandbox.ts"
import { describeDocker, engineContainers, makePreparedEnv, removeTempDirs } from "./dockerSupport.ts"

const holder = fileURLToPath(new URL("./docker-hold.ts", import.meta.url))

/** Starts an engine process that holds one sandbox open; resolves once it is ready. */
const startHolder = (envJson: string) =>
  Effect.callback<{ pid: number; sandboxId: string; exited: Promise<unknown> }, Error>((resume) => {
    const child = spawn(process.execPath, [holder, envJson], { stdio: ["ignore", "pipe", "pipe"] })
    const exited = new Promise((resolve) => child.on("exit", resolve))
    let out = ""
    let err = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const ready = /READY (\S+)/.exec(out)
      if (ready?.[1] !== undefined && child.pid !== undefined) resume(Effect.succeed({ pid: child.pid, sandboxId: ready[1], exited }))
    })
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.on("exit", (code) => resume(Effect.fail(new Error(`holder exited ${code}: ${err}`))))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describeDocker("gcDocker", () => {
  const env = makePreparedEnv()
  afterAll(() => removeTempDirs())

  layer(SandboxDocker.layer, { timeout: 600_000, excludeTestServices: true })((it) => {
    it.effect("removes the containers of an engine killed with SIGKILL, and only those", () =>
      Effect.gen(function*() {
        // A live sandbox of this process: gc must leave it alone.
        const mine = yield* (yield* SandboxProvider).acquire(env, { purpose: "gc-test-live" })
        const held = yield* startHolder(JSON.stringify(env))
        const before = yield* Effect.promise(() => engineContainers(`ssr.sandbox=${held.sandboxId}`))
        assert.lengthOf(before, 1)
        assert.strictEqual(before[0]?.Labels["ssr.owner-pid"], String(held.pid))

        process.kill(held.pid, "SIGKILL")
        yield* Effect.promise(() => held.exited)
        // SIGKILL ran no finalizer: the container outlives its engine.
        assert.lengthOf(yield* Effect.promise(() => engineContainers(`ssr.owner-pid=${held.pid}`)), 1)

        const result = yield* gcDocker()
        assert.include(result.removedContainers.map((c) => c.ownerPid), String(held.pid))
        assert.deepStrictEqual(result.removedImages, [])
        assert.deepStrictEqual(result.removedVolumes, [])
        assert.lengthOf(yield* Effect.promise(() => engineContainers(`ssr.owner-pid=${held.pid}`)), 0)
        assert.lengthOf(yield* Effect.promise(() => engineContainers(`ssr.sandbox=${mine.id}`)), 1)
        assert.strictEqual((yield* mine.exec({ argv: ["echo", "survived gc"], timeoutMs: 10_000 })).stdout, "survived gc\n")
      }))

    it.effect("with images, removes shared-directory volumes no env image refers to, never those in use", () =>
      Effect.gen(function*() {
        const mine = yield* (yield* SandboxProvider).acquire(env)
        const docker = new Docker()
        const orphan = `ssr-gc-test-orphan-${process.pid}`
        yield* Effect.promise(() => docker.createVolume({ Name: orphan, Labels: { "ssr.engine": "1", "ssr.role": "shared", "ssr.env": "gone" } }))
        const result = yield* gcDocker({ images: true })
        assert.include(result.removedVolumes, orphan)
        const { Volumes } = yield* Effect.promise(() => docker.listVolumes({ filters: { label: ["ssr.engine=1", `ssr.env=${env.key}`] } }))
        assert.isAbove(Volumes.length, 0)
        assert.strictEqual((yield* mine.exec({ argv: ["ls", "node_modules"], timeoutMs: 10_000 })).stdout, "dep\n")
      }))
  })
})
