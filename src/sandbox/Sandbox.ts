import { Context, type Effect, type Scope } from "effect"
import type { SandboxError } from "../domain/errors.ts"
import type { Isolation } from "../domain/validation.ts"
import type { ProcessResult, TimeoutPhase } from "../process/runProcess.ts"
import type { PreparedEnv } from "../env/PreparedEnv.ts"

export interface ExecRequest {
  /** Program and arguments, resolved inside the sandbox (PATH has node, python3, git, bash, coreutils). */
  readonly argv: ReadonlyArray<string>
  /** A path inside the sandbox; defaults to the repository root. */
  readonly cwd?: string | undefined
  /** Added to the sandbox's scrubbed base environment. */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly stdin?: string | Uint8Array | undefined
  /** The whole process tree is killed when this elapses; the result then has timedOut = true. */
  readonly timeoutMs: number
  /** Per stream; defaults to DEFAULT_MAX_OUTPUT_BYTES. Past it the tree is killed and outputCapped = true. */
  readonly maxOutputBytes?: number | undefined
  /**
   * Commands with phases that have their own limits (setup, then tests, then parsing): when a phase's marker
   * appears on stderr (in order), the deadline becomes that phase's timeoutMs from that moment.
   */
  readonly phases?: ReadonlyArray<TimeoutPhase> | undefined
}

export type ExecResult = ProcessResult

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024

/**
 * One isolated copy of a prepared repository. Commands never see the engine's files or environment.
 * Paths given to exec/readFile/writeFile are paths as seen inside the sandbox.
 */
export interface Sandbox {
  readonly id: string
  /** The repository root as seen inside the sandbox. */
  readonly repoDir: string
  /** A private scratch directory outside the repository (scripts, parsers, outputs of the engine). */
  readonly workDir: string
  readonly isolation: Isolation
  exec(request: ExecRequest): Effect.Effect<ExecResult, SandboxError>
  /** undefined when the file does not exist. */
  readFile(path: string): Effect.Effect<Uint8Array | undefined, SandboxError>
  /** Creates parent directories as needed. */
  writeFile(path: string, content: string | Uint8Array, options?: { readonly mode?: number }): Effect.Effect<void, SandboxError>
  /** Several files at once (one round trip where the backend has a cost per transfer). */
  writeFiles(files: ReadonlyArray<SandboxFile>): Effect.Effect<void, SandboxError>
}

export interface SandboxFile {
  readonly path: string
  readonly content: string | Uint8Array
  readonly mode?: number | undefined
}

export interface AcquireOptions {
  /** Allow network access (only used to install dependencies while preparing an environment). */
  readonly network?: boolean | undefined
  /** A label shown in logs and in Docker labels. */
  readonly purpose?: string | undefined
}

/**
 * The Sandbox port. `acquire` hands out a fresh copy of the prepared repository, released (deleted, its
 * processes killed) when the scope closes: on success, failure and interruption alike.
 */
export class SandboxProvider extends Context.Service<SandboxProvider, {
  readonly backend: "local" | "docker"
  readonly isolation: Isolation
  acquire(env: PreparedEnv, options?: AcquireOptions): Effect.Effect<Sandbox, SandboxError, Scope.Scope>
}>()("ssr/SandboxProvider") {}
