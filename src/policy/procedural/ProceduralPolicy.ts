import { Effect, Layer } from "effect"
import { SandboxError } from "../../domain/errors.ts"
import { WorkerPool, type WorkerTaskError } from "../../pool/WorkerPool.ts"
import { Policy, PolicyError } from "../Policy.ts"
import { injectEpisode } from "./inject/index.ts"
import { solveEpisode } from "./solve/index.ts"
import { PROCEDURAL_POLICY } from "./trajectory.ts"

/*
 * The offline procedural policy (GAME.md §8): no model. Both roles work only through the request's sandbox;
 * AST work (mutation sites, repairs, weakening) runs in the WorkerPool. Sandbox and worker failures are
 * infrastructure and surface as PolicyError; every verdict about bugs and patches is in the trajectory.
 */

const asPolicyError = (error: SandboxError | WorkerTaskError): PolicyError =>
  new PolicyError({
    message: `procedural policy: ${error.message}`,
    retryable: error instanceof SandboxError,
    cause: error
  })

export const ProceduralPolicy = {
  name: PROCEDURAL_POLICY.name,
  version: PROCEDURAL_POLICY.version,
  layer: Layer.effect(
    Policy,
    Effect.gen(function*() {
      const pool = yield* WorkerPool
      const run = <A>(effect: Effect.Effect<A, SandboxError | WorkerTaskError, WorkerPool>) =>
        effect.pipe(Effect.provideService(WorkerPool, pool), Effect.mapError(asPolicyError))
      return Policy.of({
        name: PROCEDURAL_POLICY.name,
        version: Effect.succeed(PROCEDURAL_POLICY.version),
        inject: (request) => run(injectEpisode(request)),
        solve: (request) => run(solveEpisode(request))
      })
    })
  )
} as const
