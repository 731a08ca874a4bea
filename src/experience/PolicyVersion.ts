import { Context, Effect, Layer, Ref } from "effect"
import * as z from "zod"
import { PolicyError } from "../policy/Policy.ts"
import { backoff, type BackoffOptions, requestJson } from "./serviceHttp.ts"

/** GET <service>/version → { "version": "..." } (an integer is accepted and read as its decimal text). */
export const VersionResponse = z.object({ version: z.union([z.string().min(1), z.int()]).transform(String) })

/**
 * The policy's current version, as the policy service (the trainer) publishes it. Every rollout is tagged
 * with the version read when it started; experience sinks compare it with the version at emit time.
 */
export class PolicyVersion extends Context.Service<PolicyVersion, {
  readonly current: Effect.Effect<string, PolicyError>
  /** The last version read successfully; undefined before the first successful read. Never fails. */
  readonly lastKnown: Effect.Effect<string | undefined>
}>()("ssr/PolicyVersion") {}

export interface PolicyVersionHttpOptions {
  /** The policy service's base URL, e.g. `http://trainer:9000`. */
  readonly url: string
  readonly timeoutMs?: number | undefined
  readonly retry?: BackoffOptions | undefined
}

/** A fixed version: no policy service (offline runs, evaluation of one checkpoint). */
export const policyVersionFixed = (version: string): Layer.Layer<PolicyVersion> =>
  Layer.succeed(PolicyVersion, PolicyVersion.of({ current: Effect.succeed(version), lastKnown: Effect.succeed(version) }))

/** Reads the version from the policy service on every call (it changes as training goes on). */
export const policyVersionHttp = (options: PolicyVersionHttpOptions): Layer.Layer<PolicyVersion> =>
  Layer.effect(PolicyVersion, Effect.gen(function*() {
    const last = yield* Ref.make<string | undefined>(undefined)
    const url = `${options.url.replace(/\/+$/, "")}/version`
    const current = requestJson({ method: "GET", url, timeoutMs: options.timeoutMs ?? 10_000 }).pipe(
      Effect.retry(backoff(options.retry ?? { baseDelay: "200 millis", maxDelay: "5 seconds", maxRetries: 4 })),
      Effect.mapError((e) => new PolicyError({ message: `cannot read the policy version: ${e.message}`, retryable: e.retryable, cause: e })),
      Effect.flatMap((response) => {
        const parsed = VersionResponse.safeParse(response.body)
        return parsed.success
          ? Effect.succeed(parsed.data.version)
          : Effect.fail(new PolicyError({ message: `${url} answered ${JSON.stringify(response.body)?.slice(0, 200)}; expected {"version": "..."}`, retryable: false }))
      }),
      Effect.tap((version) => Ref.set(last, version)),
      Effect.withSpan("PolicyVersion.current")
    )
    return PolicyVersion.of({ current, lastKnown: Ref.get(last) })
  }))
