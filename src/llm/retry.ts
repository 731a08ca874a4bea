import { type Duration, Effect, Schedule } from "effect"
import { PolicyError } from "../policy/Policy.ts"
import { ContextWindowExceeded } from "./LanguageModel.ts"

export interface RetryOptions {
  /** Retries after the first attempt, for retryable failures only (5xx, 408/409/429, connection errors). */
  readonly maxRetries: number
  /** First backoff delay; doubles per retry, capped at maxDelay, with jitter. */
  readonly baseDelay: Duration.Input
  readonly maxDelay: Duration.Input
}

/** About a minute of retries: rides out an inference server restarting for a weight update. */
export const DEFAULT_RETRY: RetryOptions = { maxRetries: 6, baseDelay: "1 second", maxDelay: "30 seconds" }

/** Retries retryable PolicyErrors with capped exponential backoff and jitter; the rest fail at once. */
export const retryTransient = (options: RetryOptions) =>
<A>(effect: Effect.Effect<A, PolicyError | ContextWindowExceeded>): Effect.Effect<A, PolicyError | ContextWindowExceeded> =>
  effect.pipe(
    Effect.retry(
      Schedule.min([Schedule.exponential(options.baseDelay), Schedule.spaced(options.maxDelay)]).pipe(
        Schedule.jittered,
        Schedule.upTo({ times: options.maxRetries }),
        Schedule.setInputType<PolicyError | ContextWindowExceeded>(),
        Schedule.while(({ input }) => input._tag === "PolicyError" && input.retryable)
      )
    )
  )

const CONTEXT_PATTERNS = [
  /context[ _-]?length/i,
  /context[ _-]?window/i,
  /maximum context/i,
  /prompt is too long/i,
  /too many tokens/i,
  /input (?:is )?too long/i,
  /exceeds? the (?:model'?s? )?(?:max(?:imum)? )?(?:context|token)/i
]

/** Provider-independent reading of an HTTP failure of a model server. */
export interface HttpFailure {
  /** undefined for connection errors and timeouts (no response). */
  readonly status: number | undefined
  readonly code?: string | null | undefined
  readonly message: string
}

/**
 * Sorts a failed request: context overflow (400/413/422 naming the context) → ContextWindowExceeded;
 * no response, 408, 409, 429, 5xx → retryable PolicyError; any other status → non-retryable PolicyError.
 */
export const classifyHttpFailure = (provider: string, failure: HttpFailure, cause: unknown): PolicyError | ContextWindowExceeded => {
  const { status, code, message } = failure
  if (
    (status === 400 || status === 413 || status === 422) &&
    (code === "context_length_exceeded" || CONTEXT_PATTERNS.some((p) => p.test(message)))
  ) {
    return new ContextWindowExceeded({ message: `${provider}: ${message}` })
  }
  const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500
  const what = status === undefined ? "no response" : `HTTP ${status}`
  return new PolicyError({ message: `${provider} request failed (${what}): ${message}`, retryable, cause })
}
