import { spawn } from "node:child_process"
import { Effect, Schema } from "effect"
import { CappedBuffer } from "./cappedBuffer.ts"

export interface ProcessRequest {
  readonly argv: ReadonlyArray<string>
  readonly cwd: string
  /** The complete environment of the child; nothing is inherited from the engine. */
  readonly env: Readonly<Record<string, string>>
  readonly stdin?: string | Uint8Array | undefined
  readonly timeoutMs: number
  /** Per stream. Past it the process group is killed and the kept prefix is returned. */
  readonly maxOutputBytes: number
  /** Later phases with their own limits (see ExecRequest.phases). */
  readonly phases?: ReadonlyArray<TimeoutPhase> | undefined
}

/** When `stderrMarker` appears on stderr (phases in order), the deadline becomes `timeoutMs` from that moment. */
export interface TimeoutPhase {
  readonly stderrMarker: string
  readonly timeoutMs: number
}

/** Tracks phase markers across stderr chunks; returns the new limit when the next phase starts. */
const phaseTracker = (phases: ReadonlyArray<TimeoutPhase> | undefined) => {
  let next = 0
  let tail = ""
  return (chunk: string): number | undefined => {
    if (phases === undefined || next >= phases.length) return undefined
    tail = (tail + chunk).slice(-8192)
    let limit: number | undefined
    while (next < phases.length && tail.includes(phases[next]!.stderrMarker)) {
      tail = tail.slice(tail.indexOf(phases[next]!.stderrMarker) + phases[next]!.stderrMarker.length)
      limit = phases[next]!.timeoutMs
      next++
    }
    return limit
  }
}

export interface PhasedDeadline {
  /** Feed every stderr chunk: a phase marker restarts the deadline with that phase's limit. */
  readonly observeStderr: (chunk: Buffer) => void
  readonly cancel: () => void
}

/**
 * A command's deadline, shared by every backend's exec: `timeoutMs` at first, then each phase's limit from the
 * moment its marker shows on stderr. `expire` runs at most once; after it, markers no longer move the deadline.
 */
export const phasedDeadline = (timeoutMs: number, phases: ReadonlyArray<TimeoutPhase> | undefined, expire: () => void): PhasedDeadline => {
  let expired = false
  const fire = () => {
    expired = true
    expire()
  }
  let timer = setTimeout(fire, timeoutMs)
  const nextPhase = phaseTracker(phases)
  return {
    observeStderr: (chunk) => {
      if (phases === undefined || expired) return
      const limit = nextPhase(chunk.toString("utf8"))
      if (limit === undefined) return
      clearTimeout(timer)
      timer = setTimeout(fire, limit)
    },
    cancel: () => clearTimeout(timer)
  }
}

export interface ProcessResult {
  /** null when the process was killed by a signal. */
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  /** Bytes the process wrote, including those past the cap. */
  readonly stdoutBytes: number
  readonly stderrBytes: number
  readonly outputCapped: boolean
  readonly timedOut: boolean
  readonly durationMs: number
}

export class ProcessSpawnError extends Schema.TaggedError<ProcessSpawnError>()("ProcessSpawnError", {
  message: Schema.String,
  command: Schema.String
}) {}

/** Time allowed for pipes to close after the whole group was killed. */
const DRAIN_AFTER_KILL_MS = 2_000

const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs one process in its own process group. On timeout, on output past the cap, on interruption, and after
 * the leader exits (orphans holding the pipes), the whole group receives SIGKILL. Never fails on a non-zero
 * exit: only a process that cannot be started is an error.
 */
export const runProcess = (request: ProcessRequest): Effect.Effect<ProcessResult, ProcessSpawnError> =>
  Effect.callback<ProcessResult, ProcessSpawnError>((resume) => {
    const started = performance.now()
    const [command, ...args] = request.argv
    if (command === undefined) {
      resume(Effect.fail(new ProcessSpawnError({ message: "empty argv", command: "" })))
      return
    }
    const child = spawn(command, args, {
      cwd: request.cwd,
      env: { ...request.env },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"]
    })
    const stdout = new CappedBuffer(request.maxOutputBytes)
    const stderr = new CappedBuffer(request.maxOutputBytes)
    let timedOut = false
    let outputCapped = false
    let exitCode: number | null = null
    let signal: string | null = null
    let settled = false
    let drainTimer: NodeJS.Timeout | undefined

    const finish = (result: Effect.Effect<ProcessResult, ProcessSpawnError>) => {
      if (settled) return
      settled = true
      deadline.cancel()
      clearTimeout(drainTimer)
      resume(result)
    }
    const succeed = () =>
      finish(Effect.succeed({
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        outputCapped,
        timedOut,
        durationMs: performance.now() - started
      }))
    const killAndDrain = () => {
      killGroup(child.pid)
      // A descendant that escaped the group could keep a pipe open forever: stop waiting after a grace period.
      drainTimer ??= setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        succeed()
      }, DRAIN_AFTER_KILL_MS)
    }

    const deadline = phasedDeadline(request.timeoutMs, request.phases, () => {
      timedOut = true
      killAndDrain()
    })

    child.stdout.on("data", (chunk: Buffer) => {
      if (!stdout.push(chunk) && !outputCapped) {
        outputCapped = true
        killAndDrain()
      }
    })
    child.stderr.on("data", (chunk: Buffer) => {
      deadline.observeStderr(chunk)
      if (!stderr.push(chunk) && !outputCapped) {
        outputCapped = true
        killAndDrain()
      }
    })
    child.on("error", (error) => {
      killGroup(child.pid)
      finish(Effect.fail(new ProcessSpawnError({ message: error.message, command })))
    })
    child.on("exit", (code, sig) => {
      exitCode = code
      signal = sig
      // Orphans of the leader may still hold stdout/stderr open; they belong to the same group.
      killGroup(child.pid)
    })
    child.on("close", () => succeed())

    child.stdin.on("error", () => {
      // EPIPE: the child did not read all of its input; that is the child's business.
    })
    if (request.stdin === undefined) child.stdin.end()
    else child.stdin.end(request.stdin)

    return Effect.sync(() => {
      settled = true
      deadline.cancel()
      clearTimeout(drainTimer)
      killGroup(child.pid)
    })
  })
