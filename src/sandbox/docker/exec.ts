import { randomBytes } from "node:crypto"
import type { Duplex } from "node:stream"
import type Docker from "dockerode"
import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { ExecResult } from "../Sandbox.ts"
import { sandboxError } from "./client.ts"
import { CappedBuffer } from "../../process/cappedBuffer.ts"
import { phasedDeadline, type TimeoutPhase } from "../../process/runProcess.ts"

/*
 * Killing a command's whole tree inside a container. Docker has no API to kill an exec, so:
 * - runc makes every exec's process the leader of a new session (pid = pgid = sid, checked on 20.10), and the
 *   exec's environment carries a marker, SSR_EXEC_ID=<id>, that every descendant inherits;
 * - WRAPPER (bash, argv: <id> <command…>) records its pid, i.e. the session id, in /run/ssr-exec/<id>, runs the
 *   command in the foreground (stdin passes through), then SIGKILLs what is left of its session and every
 *   process carrying its marker (orphans holding the pipes would otherwise keep the exec open for ~2 s; the
 *   Local backend ends them too);
 * - KILLER (argv: <id>), run by a second exec on timeout, output cap or interruption, SIGSTOPs every process of
 *   that session, every process with the marker, and every descendant of those (children that called setsid),
 *   repeating until the set is closed so a fork bomb cannot outrun it, then SIGKILLs them all, and loops until
 *   nothing is left. It uses shell builtins only (no fork), so it works while the pids limit is exhausted.
 * - If the killer cannot run or does not finish, the container's init is killed and the container restarted:
 *   every process dies, the filesystem stays (this also ends concurrent execs of the same sandbox).
 * Only a process that leaves the session, drops the marker from its environment and is orphaned survives,
 * until the sandbox is released.
 */
export const EXEC_PID_DIR = "/run/ssr-exec"
export const EXEC_MARKER = "SSR_EXEC_ID"

/** Shared by both scripts: `marked PID` is true when PID's environment has this exec's marker. */
const MARKED = `marked() {
  local kv
  while IFS= read -r -d '' kv; do
    [[ $kv == "${EXEC_MARKER}=$id" ]] && return 0
  done <"/proc/$1/environ"
  return 1
} 2>/dev/null`

const WRAPPER = `id=$1
shift
{ echo $$ >"${EXEC_PID_DIR}/$id"; } 2>/dev/null || { mkdir -p ${EXEC_PID_DIR} && echo $$ >"${EXEC_PID_DIR}/$id"; }
"$@"
s=$?
${MARKED}
for f in /proc/[0-9]*/stat; do
  { read -r l <"$f"; } 2>/dev/null || continue
  p=\${f#/proc/}
  p=\${p%/stat}
  [[ $p == $$ ]] && continue
  set -- \${l##*) }
  if [[ $4 == $$ ]] || marked "$p"; then kill -9 "$p" 2>/dev/null; fi
done
exit $s`

const KILLER = `id=$1
f=${EXEC_PID_DIR}/$id
n=0
until { read -r sid <"$f"; } 2>/dev/null; do
  n=$((n + 1))
  ((n <= 40)) || exit 4
  sleep 0.005
done
${MARKED}
round=0
while :; do
  victims=" "
  changed=1
  while ((changed)); do
    changed=0
    for st in /proc/[0-9]*/stat; do
      p=\${st#/proc/}
      p=\${p%/stat}
      [[ $victims == *" $p "* || $p == $$ ]] && continue
      { read -r l <"$st"; } 2>/dev/null || continue
      set -- \${l##*) }
      [[ $1 == [ZX] ]] && continue
      if [[ $4 == "$sid" || $victims == *" $2 "* ]] || marked "$p"; then
        kill -s STOP "$p" 2>/dev/null
        victims="$victims$p "
        changed=1
      fi
    done
  done
  [[ $victims == " " ]] && exit 0
  kill -s KILL $victims 2>/dev/null
  round=$((round + 1))
  ((round < 20)) || exit 3
done`

/** Time allowed for the exec stream to close once its tree was killed. */
const DRAIN_AFTER_KILL_MS = 2_000
const KILLER_TIMEOUT_MS = 10_000

export interface DockerExecRequest {
  readonly argv: ReadonlyArray<string>
  readonly cwd: string
  /** The complete environment (KEY=value), added over the container's own minimal one. */
  readonly env: ReadonlyArray<string>
  readonly stdin?: string | Uint8Array | undefined
  readonly timeoutMs: number
  readonly maxOutputBytes: number
  readonly phases?: ReadonlyArray<TimeoutPhase> | undefined
}

export interface ExecTarget {
  readonly container: Docker.Container
  /** Last resort when the killer cannot run: kill every process of the container, keep its filesystem. */
  readonly restart: () => Promise<void>
}

/** Splits Docker's multiplexed attach stream (8-byte header: stream type, 3 zero bytes, big-endian size). */
const demuxer = (onFrame: (stream: number, payload: Buffer) => void) => {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4)
      if (pending.length < 8 + size) break
      onFrame(pending[0] ?? 1, pending.subarray(8, 8 + size))
      pending = pending.subarray(8 + size)
    }
  }
}

const runToEnd = async (container: Docker.Container, argv: Array<string>, timeoutMs: number): Promise<number | null> => {
  const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false })
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    stream.on("end", done).on("close", done).on("error", done)
    stream.resume()
  })
  return (await exec.inspect()).ExitCode
}

/** Kills the tree of exec `id`; falls back to restarting the container. Never rejects. */
const killTree = async (target: ExecTarget, id: string): Promise<void> => {
  const code = await runToEnd(target.container, ["/bin/bash", "-c", KILLER, "ssr-kill", id], KILLER_TIMEOUT_MS)
    .catch(() => null)
  if (code !== 0) await target.restart().catch(() => undefined)
}

/** The exit code of a finished exec; the stream can end a moment before the daemon records the exit. */
const exitCodeOf = async (exec: Docker.Exec): Promise<number | null> => {
  for (let attempt = 0; ; attempt++) {
    const info = await exec.inspect()
    if (!info.Running || attempt >= 100) return info.ExitCode
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Runs one command in a running container through WRAPPER. Never fails on the command's behaviour (non-zero
 * exit, OOM kill → exit 137, timeout, output cap): only a daemon that cannot be reached or a dead container is an
 * error. On interruption the command's tree is killed before the effect completes.
 */
export const dockerExec = (target: ExecTarget, request: DockerExecRequest): Effect.Effect<ExecResult, SandboxError> =>
  Effect.callback<ExecResult, SandboxError>((resume) => {
    const started = performance.now()
    const id = randomBytes(8).toString("hex")
    const stdout = new CappedBuffer(request.maxOutputBytes)
    const stderr = new CappedBuffer(request.maxOutputBytes)
    const hasStdin = request.stdin !== undefined
    let stream: Duplex | undefined
    let running = false
    let timedOut = false
    let outputCapped = false
    let killRequested = false
    let killing: Promise<void> | undefined
    let abandoned = false
    let drainTimer: NodeJS.Timeout | undefined
    let drained: (() => void) | undefined

    // The tree can only be found once the process has started; a kill asked for earlier waits for that.
    const kill = (): Promise<void> => {
      killRequested = true
      if (!running) return Promise.resolve()
      killing ??= killTree(target, id)
      return killing
    }
    const stopAndKill = () => {
      void kill()
      drainTimer ??= setTimeout(() => {
        stream?.destroy()
        drained?.()
      }, DRAIN_AFTER_KILL_MS)
    }
    const deadline = phasedDeadline(request.timeoutMs, request.phases, () => {
      timedOut = true
      stopAndKill()
    })
    const onFrame = (kind: number, payload: Buffer) => {
      if (kind === 2) deadline.observeStderr(payload)
      const within = kind === 2 ? stderr.push(payload) : stdout.push(payload)
      if (!within && !outputCapped) {
        outputCapped = true
        stopAndKill()
      }
    }

    const run = async (): Promise<ExecResult> => {
      const exec = await target.container.exec({
        Cmd: ["/bin/bash", "-c", WRAPPER, "ssr-exec", id, ...request.argv],
        Env: [...request.env, `${EXEC_MARKER}=${id}`],
        WorkingDir: request.cwd,
        AttachStdin: hasStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false
      })
      const attached = (await exec.start({ hijack: true, stdin: hasStdin })) as Duplex
      stream = attached
      running = true
      if (abandoned) attached.destroy()
      if (killRequested) stopAndKill()
      await new Promise<void>((resolve) => {
        drained = resolve
        attached.on("data", demuxer(onFrame))
        // A socket error (EPIPE on unread stdin, reset) ends the output like a close does.
        attached.on("end", resolve).on("close", resolve).on("error", resolve)
        if (hasStdin) {
          attached.write(request.stdin)
          attached.end()
        }
      })
      deadline.cancel()
      clearTimeout(drainTimer)
      if (killing !== undefined) await killing
      const code = await exitCodeOf(exec)
      const killed = timedOut || outputCapped
      return {
        exitCode: killed ? null : code,
        signal: killed ? "SIGKILL" : null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        outputCapped,
        timedOut,
        durationMs: performance.now() - started
      }
    }

    run().then(
      (result) => resume(Effect.succeed(result)),
      (cause: unknown) => {
        deadline.cancel()
        clearTimeout(drainTimer)
        resume(Effect.fail(sandboxError("exec")(cause)))
      }
    )

    return Effect.promise(() => {
      abandoned = true
      deadline.cancel()
      clearTimeout(drainTimer)
      stream?.destroy()
      return kill()
    })
  })
