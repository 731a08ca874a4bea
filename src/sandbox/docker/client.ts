import Docker from "dockerode"
import { Effect } from "effect"
import { SandboxError } from "../../domain/errors.ts"
import { currentOwner, ownerAlive as isOwnerAlive } from "../../process/owner.ts"

/** Every container and image the engine makes carries `ssr.engine=1`; `ssr sandbox gc` only ever touches those. */
export const LABEL_ENGINE = "ssr.engine"
export const LABEL_ROLE = "ssr.role"
export const LABEL_OWNER_PID = "ssr.owner-pid"
/** Start time of the owner process (clock ticks since boot): a recycled pid is not mistaken for the owner. */
export const LABEL_OWNER_START = "ssr.owner-start"
export const LABEL_SANDBOX = "ssr.sandbox"
export const LABEL_PURPOSE = "ssr.purpose"
export const LABEL_ENV = "ssr.env"
export const LABEL_PROFILE = "ssr.profile"
export const LABEL_BASE = "ssr.base"
export const LABEL_RECIPE = "ssr.recipe"
/** On env images: JSON list of { dir, volume }, the read-only volumes holding the env's shared directories. */
export const LABEL_SHARED = "ssr.shared"

export const DEFAULT_BASE_IMAGE = "ssr-base:bookworm"
export const ENV_IMAGE_REPO = "ssr-env"

/** A client for DOCKER_HOST when set (unix://, tcp://), else the default socket (docker-modem's own rules). */
export const makeDockerClient = (): Docker => new Docker()

export const errorMessage = (cause: unknown): string => {
  if (cause instanceof Error) {
    // docker-modem puts the daemon's answer in `json.message`; its own message is only "(HTTP code 500) …".
    const json = (cause as { json?: unknown }).json
    if (typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string") {
      return (json as { message: string }).message
    }
    return cause.message
  }
  return String(cause)
}

export const sandboxError = (operation: string) => (cause: unknown): SandboxError =>
  new SandboxError({ message: `docker ${operation}: ${errorMessage(cause)}`, operation, cause })

export const tryDocker = <A>(operation: string, f: (signal: AbortSignal) => PromiseLike<A>): Effect.Effect<A, SandboxError> =>
  Effect.tryPromise({ try: (signal) => f(signal), catch: sandboxError(operation) })

export const statusCodeOf = (cause: unknown): number | undefined => {
  const code = (cause as { statusCode?: unknown } | null)?.statusCode
  return typeof code === "number" ? code : undefined
}

/** Labels naming this engine process as the owner of a container (read back by gc). */
export const ownerLabels = (): Record<string, string> => {
  const owner = currentOwner()
  return { [LABEL_ENGINE]: "1", [LABEL_OWNER_PID]: String(owner.pid), [LABEL_OWNER_START]: owner.start }
}

/** True when the process that labelled a container still runs (same pid and, where known, same start time). */
export const ownerAlive = (labels: Readonly<Record<string, string>>): boolean =>
  isOwnerAlive({ pid: Number(labels[LABEL_OWNER_PID]), start: labels[LABEL_OWNER_START] ?? "" })
