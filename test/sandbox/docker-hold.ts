/**
 * Test helper process (not a test): acquires one Docker sandbox for the PreparedEnv given as JSON in argv[2],
 * prints `READY <sandbox id>` and holds it until killed. The gc test kills it with SIGKILL, so its finalizers
 * never run and its container is left behind for gcDocker.
 */
import { Effect } from "effect"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"
import { SandboxDocker } from "../../src/sandbox/docker/SandboxDocker.ts"
import { SandboxProvider } from "../../src/sandbox/Sandbox.ts"

const env = JSON.parse(process.argv[2] ?? "{}") as PreparedEnv
const program = Effect.scoped(Effect.gen(function*() {
  const provider = yield* SandboxProvider
  const sandbox = yield* provider.acquire(env, { purpose: "gc-test-holder" })
  yield* sandbox.exec({ argv: ["true"], timeoutMs: 30_000 })
  process.stdout.write(`READY ${sandbox.id}\n`)
  return yield* Effect.never
}))
Effect.runPromise(program.pipe(Effect.provide(SandboxDocker.layer))).catch((error: unknown) => {
  process.stderr.write(`docker-hold failed: ${String(error)}\n`)
  process.exit(1)
})
