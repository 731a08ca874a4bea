import { randomUUID } from "node:crypto"
import { closeSync, constants as fsConstants, fchmodSync, mkdirSync, openSync, promises as fs, realpathSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join, relative, resolve, sep } from "node:path"
import { Effect, FiberSet, Layer } from "effect"
import { SandboxError } from "../../domain/errors.ts"
import type { Isolation } from "../../domain/validation.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { currentOwner, type Owner, ownerAlive } from "../../process/owner.ts"
import { runProcess } from "../../process/runProcess.ts"
import { baseSandboxEnv } from "../environment.ts"
import { DEFAULT_MAX_OUTPUT_BYTES, type ExecRequest, type Sandbox, type SandboxFile, SandboxProvider } from "../Sandbox.ts"
import { bwrapArgv, bwrapAvailable, SANDBOX_HOME, SANDBOX_REPO_DIR, SANDBOX_WORK_DIR, sandboxPath } from "./bwrap.ts"

/** Where Local sandboxes live on the host (each one a fresh directory, deleted on release). */
export const localSandboxRoot = (): string => process.env["SSR_SANDBOX_TMP"] ?? tmpdir()

export const localIsolation = (isolated: boolean): Isolation =>
  isolated
    ? {
      backend: "local",
      tool: "bwrap",
      network: "loopback-only",
      filesystem: "read-only system; writable: the sandbox's repo copy, /ssr and a private /tmp",
      processes: "own PID namespace; the namespace is killed on timeout, cap or release",
      limits: {}
    }
    : {
      backend: "local",
      tool: "none",
      network: "host",
      filesystem: "NOT contained: commands run as the engine's user in a temporary copy",
      processes: "own process group, killed on timeout, cap or release",
      limits: {}
    }

const sandboxError = (operation: string) => (cause: unknown) =>
  new SandboxError({ message: `${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, operation, cause })

/** Extracts the prepared repo's snapshot (shared directories are not in it: they are mounted read-only). */
const extractSnapshot = (env: PreparedEnv, target: string) =>
  runProcess({
    argv: ["tar", "-xf", env.snapshotTar, "-C", target, "--no-same-owner"],
    cwd: target,
    env: { PATH: "/usr/bin:/bin" },
    timeoutMs: 10 * 60_000,
    maxOutputBytes: 64 * 1024
  }).pipe(
    Effect.flatMap((r) => r.exitCode === 0 ? Effect.void : Effect.fail(new Error(`tar -x failed: ${r.stderr}`))),
    Effect.mapError(sandboxError("extract prepared repository"))
  )

interface LocalLayout {
  readonly root: string
  readonly repo: string
  readonly work: string
}

/** Names the engine process owning a sandbox directory, so `ssr sandbox gc` can remove a crashed run's. */
const OWNER_FILE = "owner.json"

const makeLayout = Effect.tryPromise({
  try: async (): Promise<LocalLayout> => {
    const root = await fs.mkdtemp(join(localSandboxRoot(), SANDBOX_DIR_PREFIX))
    await fs.writeFile(join(root, OWNER_FILE), JSON.stringify(currentOwner()))
    const layout = { root, repo: join(root, "repo"), work: join(root, "work") }
    await fs.mkdir(layout.work)
    return layout
  },
  catch: sandboxError("create sandbox directory")
})

const SANDBOX_DIR_PREFIX = "ssr-sbx-"

/**
 * Deletes a sandbox directory with `rm -rf` in a child process: a recursive fs.rm would fill libuv's small
 * thread pool with unlinks and stall the engine's own file I/O while tests run. fs.rm is the fallback.
 */
const removeTree = (dir: string) =>
  runProcess({ argv: ["rm", "-rf", "--", dir], cwd: dirname(dir), env: { PATH: "/usr/bin:/bin" }, timeoutMs: 600_000, maxOutputBytes: 64 * 1024 }).pipe(
    Effect.flatMap((r) => (r.exitCode === 0 ? Effect.void : Effect.fail(new Error(r.stderr)))),
    Effect.catch(() => Effect.promise(() => fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined)))
  )

/** Removes Local sandbox directories left by engine processes that died (or all of them with `all`). */
export const gcLocal = (options: { readonly all?: boolean } = {}) =>
  Effect.gen(function*() {
    const root = localSandboxRoot()
    const stale = yield* Effect.tryPromise({
      try: async () => {
        const found: Array<string> = []
        for (const name of await fs.readdir(root)) {
          if (!name.startsWith(SANDBOX_DIR_PREFIX)) continue
          const dir = join(root, name)
          const owner = await fs.readFile(join(dir, OWNER_FILE), "utf8").then((t) => JSON.parse(t) as Owner, () => undefined)
          // A directory without its owner file yet may be one a live engine is creating right now.
          const young = owner === undefined && Date.now() - (await fs.stat(dir)).mtimeMs < 60_000
          if (options.all === true || (!young && (owner === undefined || !ownerAlive(owner)))) found.push(dir)
        }
        return found
      },
      catch: sandboxError("gc local sandboxes")
    })
    yield* Effect.forEach(stale, removeTree, { discard: true })
    return stale
  })

const populate = (env: PreparedEnv, layout: LocalLayout, isolated: boolean) =>
  Effect.tryPromise({
    try: () => fs.mkdir(layout.repo),
    catch: sandboxError("create repo directory")
  }).pipe(Effect.andThen(extractSnapshot(env, layout.repo)), Effect.andThen(Effect.tryPromise({
    try: async () => {
      for (const dir of env.sharedDirs) {
        const target = join(layout.repo, dir)
        // With bwrap the shared dir is mounted read-only over an empty mount point; without it, linked.
        if (isolated) await fs.mkdir(target, { recursive: true })
        else await fs.symlink(join(env.repoDir, dir), target)
      }
    },
    catch: sandboxError("mount shared directories")
  })))

const isInside = (root: string, path: string) => path === root || path.startsWith(root + sep)

/**
 * Maps a sandbox path to the host. Symlinks planted by sandboxed code must not lead the engine's own reads and
 * writes out of the sandbox: the parent is resolved and checked, and the last component is opened O_NOFOLLOW.
 */
const mapHostPath = (layout: LocalLayout, env: PreparedEnv, isolated: boolean, path: string): { host: string; shared: boolean } => {
  const pairs: Array<[string, string]> = isolated
    ? [[SANDBOX_REPO_DIR, layout.repo], [SANDBOX_WORK_DIR, layout.work]]
    : [[layout.repo, layout.repo], [layout.work, layout.work]]
  for (const [inside, host] of pairs) {
    if (path !== inside && !path.startsWith(inside + "/")) continue
    const candidate = resolve(host, relative(inside, path))
    if (!isInside(host, candidate)) break
    const sharedHost = env.sharedDirs.map((d) => join(env.repoDir, d))
    const sharedHit = env.sharedDirs.find((d) => isInside(join(layout.repo, d), candidate))
    const mapped = sharedHit === undefined
      ? candidate
      : join(env.repoDir, sharedHit, relative(join(layout.repo, sharedHit), candidate))
    let parent: string | undefined
    try {
      parent = realpathSync(dirname(mapped))
    } catch {
      parent = undefined
    }
    const allowed = [host, ...sharedHost]
    if (parent !== undefined && !allowed.some((root) => isInside(root, parent))) {
      throw new Error(`${path} resolves outside the sandbox`)
    }
    return { host: mapped, shared: sharedHit !== undefined }
  }
  throw new Error(`${path} is not inside the sandbox's repo or work directory`)
}

const hostPathOf = (layout: LocalLayout, env: PreparedEnv, isolated: boolean, path: string) =>
  Effect.try({ try: () => mapHostPath(layout, env, isolated, path), catch: sandboxError("map sandbox path") })

/** Writes without following a final symlink; synchronous: small files, and no wait behind libuv's thread pool. */
const writeHostFileSync = (host: string, content: string | Uint8Array, mode: number | undefined): void => {
  mkdirSync(dirname(host), { recursive: true })
  const fd = openSync(host, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, mode ?? 0o644)
  try {
    writeFileSync(fd, content)
    if (mode !== undefined) fchmodSync(fd, mode)
  } finally {
    closeSync(fd)
  }
}

const makeSandbox = (env: PreparedEnv, layout: LocalLayout, isolated: boolean, network: boolean): Sandbox => {
  const repoDir = isolated ? SANDBOX_REPO_DIR : layout.repo
  const workDir = isolated ? SANDBOX_WORK_DIR : layout.work
  const home = isolated ? SANDBOX_HOME : join(layout.work, ".home")
  const mounts = [
    { host: layout.repo, inside: SANDBOX_REPO_DIR, writable: true },
    { host: layout.work, inside: SANDBOX_WORK_DIR, writable: true },
    ...env.sharedDirs.map((d) => ({ host: join(env.repoDir, d), inside: `${SANDBOX_REPO_DIR}/${d}`, writable: false }))
  ]

  const exec = (request: ExecRequest) => {
    const cwd = request.cwd ?? repoDir
    const envVars = baseSandboxEnv(sandboxPath(isolated), home, { ...env.profile.env, ...request.env })
    const argv = isolated ? bwrapArgv({ mounts, network, cwd }, request.argv) : request.argv
    const prelude = isolated ? Effect.void : Effect.promise(() => fs.mkdir(home, { recursive: true }))
    return prelude.pipe(
      Effect.andThen(runProcess({
        argv,
        cwd: isolated ? layout.root : cwd,
        env: envVars,
        stdin: request.stdin,
        timeoutMs: request.timeoutMs,
        maxOutputBytes: request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        phases: request.phases
      })),
      Effect.mapError(sandboxError("exec"))
    )
  }

  const readFile = (path: string) =>
    hostPathOf(layout, env, isolated, path).pipe(
      Effect.flatMap(({ host }) =>
        Effect.tryPromise({
          try: async () => {
            const handle = await fs.open(host, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
              if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined
              throw e
            })
            if (handle === undefined) return undefined
            try {
              return new Uint8Array(await handle.readFile())
            } finally {
              await handle.close()
            }
          },
          catch: sandboxError(`read ${path}`)
        })
      )
    )

  const writeFiles = (files: ReadonlyArray<SandboxFile>) =>
    Effect.forEach(files, (f) =>
      Effect.try({
        try: () => {
          const { host, shared } = mapHostPath(layout, env, isolated, f.path)
          if (shared) throw new Error(`${f.path} is in a read-only shared directory`)
          writeHostFileSync(host, f.content, f.mode)
        },
        catch: sandboxError(`write ${f.path}`)
      }), { discard: true })

  const writeFile = (path: string, content: string | Uint8Array, options?: { readonly mode?: number }) =>
    writeFiles([{ path, content, mode: options?.mode }])

  return { id: basename(layout.root), repoDir, workDir, isolation: localIsolation(isolated), exec, readFile, writeFile, writeFiles }
}

/**
 * Runs one command with a host directory mounted read-write at /repo (no copy). Only for preparing an
 * environment: installing dependencies into the cache entry being built, with network when asked.
 */
export const execInDirectory = (options: {
  readonly hostDir: string
  readonly argv: ReadonlyArray<string>
  readonly network: boolean
  readonly timeoutMs: number
  readonly extraMounts?: ReadonlyArray<{ readonly host: string; readonly inside: string }>
  readonly env?: Readonly<Record<string, string>>
}) => {
  const isolated = bwrapAvailable()
  const home = isolated ? SANDBOX_HOME : join(tmpdir(), `ssr-home-${randomUUID().slice(0, 8)}`)
  const mounts = [
    { host: options.hostDir, inside: SANDBOX_REPO_DIR, writable: true },
    ...(options.extraMounts ?? []).map((m) => ({ ...m, writable: true }))
  ]
  const cwd = isolated ? SANDBOX_REPO_DIR : options.hostDir
  return runProcess({
    argv: isolated ? bwrapArgv({ mounts, network: options.network, cwd }, options.argv) : options.argv,
    cwd: options.hostDir,
    env: baseSandboxEnv(sandboxPath(isolated), home, options.env),
    timeoutMs: options.timeoutMs,
    maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES
  })
}

/** Fresh sandboxes kept ready per environment, extracted in the background while tests run. */
const MAX_WARM_PER_ENV = 2

/**
 * The Local provider. Making and deleting sandbox directories is kept off the critical path: a sandbox is
 * handed out from a small warm pool (refilled in the background), and released by an atomic rename out of
 * sight followed by a background delete. Background work is awaited when the layer closes; a crash leaves
 * directories that `ssr sandbox gc` removes (they carry their owner).
 */
const makeProvider = Effect.gen(function*() {
  const isolated = bwrapAvailable()
  const background = yield* FiberSet.make<void, never>()
  const warm = new Map<string, Array<LocalLayout>>()
  const warming = new Map<string, number>()

  const create = (env: PreparedEnv) =>
    // onError also covers interruption: a half-made directory never outlives a failed or interrupted create.
    makeLayout.pipe(Effect.tap((layout) => populate(env, layout, isolated).pipe(Effect.onError(() => removeTree(layout.root)))))

  const refill = (env: PreparedEnv) =>
    Effect.suspend(() => {
      const ready = (warm.get(env.key)?.length ?? 0) + (warming.get(env.key) ?? 0)
      if (ready >= MAX_WARM_PER_ENV) return Effect.void
      warming.set(env.key, (warming.get(env.key) ?? 0) + 1)
      return FiberSet.run(background)(create(env).pipe(
        Effect.tap((layout) => Effect.sync(() => warm.set(env.key, [...(warm.get(env.key) ?? []), layout]))),
        Effect.ignore,
        Effect.ensuring(Effect.sync(() => warming.set(env.key, (warming.get(env.key) ?? 1) - 1)))
      )).pipe(Effect.asVoid)
    })

  const release = (layout: LocalLayout) =>
    Effect.promise(async () => {
      const trash = `${layout.root}-released`
      return fs.rename(layout.root, trash).then(() => trash, () => layout.root)
    }).pipe(Effect.flatMap((dir) => FiberSet.run(background)(removeTree(dir))), Effect.asVoid)

  yield* Effect.addFinalizer(() =>
    FiberSet.awaitEmpty(background).pipe(
      Effect.andThen(Effect.forEach([...warm.values()].flat(), (layout) => removeTree(layout.root), { discard: true })),
      Effect.andThen(Effect.sync(() => warm.clear()))
    )
  )

  return SandboxProvider.of({
    backend: "local",
    isolation: localIsolation(isolated),
    acquire: (env, options) =>
      Effect.acquireRelease(
        Effect.sync(() => warm.get(env.key)?.shift()).pipe(
          Effect.flatMap((ready) => (ready === undefined ? create(env) : Effect.succeed(ready))),
          Effect.tap(() => refill(env))
        ),
        release
      ).pipe(Effect.map((layout) => makeSandbox(env, layout, isolated, options?.network === true)))
  })
})

export const SandboxLocal = {
  layer: Layer.effect(SandboxProvider, makeProvider)
}
