import { Duration, Effect, Schedule, Schema } from "effect"

/** A request to the policy service failed; `retryable` for no response, timeouts, 408, 429 and 5xx. */
export class ServiceRequestError extends Schema.TaggedError<ServiceRequestError>()("ServiceRequestError", {
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  retryable: Schema.Boolean
}) {}

export interface ServiceResponse {
  readonly status: number
  readonly body: unknown
}

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500

/**
 * One JSON request to the policy service with a hard timeout (the request is aborted, not just abandoned).
 * Any 2xx succeeds; other statuses fail with ServiceRequestError.
 */
export const requestJson = (options: {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly body?: unknown
  readonly timeoutMs: number
}): Effect.Effect<ServiceResponse, ServiceRequestError> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(options.url, {
        method: options.method,
        signal,
        headers: { accept: "application/json", ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
      })
      const text = await response.text()
      let body: unknown = text
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined
      } catch {
        // keep the text
      }
      return { status: response.status, body }
    },
    catch: (cause) =>
      new ServiceRequestError({ message: `${options.method} ${options.url}: ${cause instanceof Error ? cause.message : String(cause)}`, retryable: true })
  }).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(options.timeoutMs),
      orElse: () => Effect.fail(new ServiceRequestError({ message: `${options.method} ${options.url}: no answer within ${options.timeoutMs} ms`, retryable: true }))
    }),
    Effect.flatMap((response) =>
      response.status >= 200 && response.status < 300
        ? Effect.succeed(response)
        : Effect.fail(new ServiceRequestError({
          message: `${options.method} ${options.url}: HTTP ${response.status} ${typeof response.body === "string" ? response.body.slice(0, 300) : JSON.stringify(response.body)?.slice(0, 300)}`,
          status: response.status,
          retryable: retryableStatus(response.status)
        }))
    )
  )

export interface BackoffOptions {
  readonly baseDelay: Duration.Input
  readonly maxDelay: Duration.Input
  /** undefined: retry for as long as the fiber runs. */
  readonly maxRetries?: number | undefined
}

/** Capped exponential backoff with jitter, for retryable ServiceRequestErrors only. */
export const backoff = (options: BackoffOptions) => {
  const base = Schedule.min([Schedule.exponential(options.baseDelay), Schedule.spaced(options.maxDelay)]).pipe(Schedule.jittered)
  const bounded = options.maxRetries === undefined ? base : base.pipe(Schedule.upTo({ times: options.maxRetries }))
  return bounded.pipe(
    Schedule.setInputType<ServiceRequestError>(),
    Schedule.while(({ input }) => input.retryable)
  )
}
