import { Flag } from "effect/cli"

/** Flags shared by every command that runs sandboxes. */
export const sandboxFlag = Flag.Literals("sandbox", ["local", "docker"]).pipe(
  Flag.withDescription("Sandbox backend: local (bubblewrap when available) or docker"),
  Flag.withDefault("local")
)

export const cacheFlag = Flag.Boolean("no-cache").pipe(
  Flag.withDescription("Do not reuse cached baseline runs"),
  Flag.withDefault(false)
)

export interface EngineOptions {
  readonly sandbox: "local" | "docker"
  readonly noCache: boolean
}
