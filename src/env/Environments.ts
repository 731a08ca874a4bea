import { createHash } from "node:crypto"
import { existsSync, promises as fs } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { Context, Deferred, Duration, Effect, Layer } from "effect"
import { PrepareError } from "../domain/errors.ts"
import { hostGit } from "../git/hostGit.ts"
import { runProcess } from "../process/runProcess.ts"
import { networkEnv } from "../sandbox/environment.ts"
import { bwrapAvailable } from "../sandbox/local/bwrap.ts"
import { execInDirectory } from "../sandbox/local/SandboxLocal.ts"
import type { PreparedEnv } from "./PreparedEnv.ts"
import type { LoadedProfile } from "./profiles.ts"
import { materializeSource, sourceIdentity } from "./sources.ts"

/** Bump when the layout or recipe of prepared environments changes: old cache entries are then ignored. */
const PREPARE_VERSION = 2
const INSTALL_TIMEOUT_MS = 20 * 60_000
const LOCK_WAIT = Duration.minutes(30)

/** The engine's cache root: $SSR_HOME, else $XDG_CACHE_HOME/ssr, else ~/.cache/ssr. */
export const ssrHome = (): string =>
  process.env["SSR_HOME"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "ssr")

interface EnvRecord {
  readonly key: string
  readonly rev: string
  readonly sharedDirs: ReadonlyArray<string>
  readonly trackedFiles: ReadonlyArray<string>
  readonly identity: string
  readonly preparedAt: string
}

export const envKeyOf = (identity: string, loaded: LoadedProfile): string =>
  createHash("sha256")
    .update(JSON.stringify({ v: PREPARE_VERSION, identity, install: loaded.profile.install }))
    .digest("hex")
    .slice(0, 16)

const failWith = (repo: string, message: string, output?: string) =>
  new PrepareError({ message, repo, ...(output === undefined ? {} : { output }) })

const fsStep = <A>(repo: string, what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => failWith(repo, `${what}: ${e instanceof Error ? e.message : String(e)}`) })

const installInto = (repoDir: string, loaded: LoadedProfile, npmCache: string) =>
  Effect.gen(function*() {
    const { name, install } = loaded.profile
    const cacheMount = { host: npmCache, inside: "/npm-cache" }
    const cacheInside = bwrapAvailable() ? cacheMount.inside : npmCache
    const run = (hostDir: string, argv: ReadonlyArray<string>, what: string) =>
      execInDirectory({ hostDir, argv, network: true, timeoutMs: INSTALL_TIMEOUT_MS, extraMounts: [cacheMount], env: networkEnv() }).pipe(
        Effect.mapError((e) => failWith(name, `${what}: ${e.message}`)),
        Effect.flatMap((r) =>
          r.exitCode === 0 && !r.timedOut
            ? Effect.void
            : Effect.fail(failWith(name, `${what} failed (exit ${r.exitCode}${r.timedOut ? ", timed out" : ""})`, (r.stdout + r.stderr).slice(-4000)))
        )
      )
    if (install.testDependencies.length > 0) {
      // Installed from a scratch manifest: a package's own devDependencies often cannot all be resolved.
      const scratch = `${repoDir}.deps`
      yield* fsStep(name, "create scratch manifest", async () => {
        await fs.mkdir(scratch, { recursive: true })
        await fs.writeFile(join(scratch, "package.json"), "{\"private\":true}\n")
      })
      yield* run(
        scratch,
        ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", "--loglevel=error",
          `--cache=${cacheInside}`, ...install.testDependencies],
        "installing testDependencies"
      )
      if (existsSync(join(repoDir, "node_modules"))) {
        return yield* failWith(name, "the source already has node_modules; testDependencies would overwrite it")
      }
      yield* fsStep(name, "move node_modules into the repo", async () => {
        await fs.rename(join(scratch, "node_modules"), join(repoDir, "node_modules"))
        await fs.rm(scratch, { recursive: true, force: true })
      })
    }
    for (const command of install.commands) yield* run(repoDir, ["bash", "-c", command], `install command \`${command}\``)
  })

const buildEnv = (loaded: LoadedProfile, identity: string, key: string, finalDir: string) => {
  const name = loaded.profile.name
  const staging = `${finalDir}.tmp-${process.pid}-${Date.now()}`
  return Effect.gen(function*() {
    const repoDir = join(staging, "repo")
    const npmCache = join(ssrHome(), "npm-cache")
    yield* fsStep(name, "create staging directory", async () => {
      await fs.mkdir(staging, { recursive: true })
      await fs.mkdir(npmCache, { recursive: true })
    })
    yield* materializeSource(loaded, identity, repoDir, npmCache)
    const git = (args: ReadonlyArray<string>) => hostGit(repoDir, args).pipe(Effect.mapError((e) => failWith(name, e.message)))
    yield* installInto(repoDir, loaded, npmCache)
    const sharedDirs = existsSync(join(repoDir, "node_modules")) ? ["node_modules"] : []
    yield* fsStep(name, "exclude shared directories from git", async () => {
      await fs.mkdir(join(repoDir, ".git", "info"), { recursive: true })
      await fs.appendFile(join(repoDir, ".git", "info", "exclude"), sharedDirs.map((d) => `/${d}/\n`).join(""))
    })
    const dirty = (yield* git(["status", "--porcelain", "--untracked-files=no"])).trim()
    if (dirty.length > 0) {
      return yield* failWith(name, `install modified tracked files; make the install step leave the source unchanged:\n${dirty}`)
    }
    const rev = (yield* git(["rev-parse", "HEAD"])).trim()
    const trackedFiles = (yield* git(["ls-files", "-z"])).split("\0").filter((f) => f.length > 0)
    yield* snapshot(name, repoDir, sharedDirs, join(staging, SNAPSHOT_TAR))
    const record: EnvRecord = { key, rev, sharedDirs, trackedFiles, identity, preparedAt: new Date().toISOString() }
    // Atomic publish: a crash before this rename leaves only a staging dir, never a half-prepared entry.
    yield* fsStep(name, "publish prepared environment", async () => {
      await fs.writeFile(join(staging, "env.json"), JSON.stringify(record, null, 2))
      await fs.rm(finalDir, { recursive: true, force: true })
      await fs.rename(staging, finalDir)
    })
  }).pipe(
    Effect.onExit((exit) =>
      exit._tag === "Success" ? Effect.void : Effect.promise(() => fs.rm(staging, { recursive: true, force: true }).catch(() => undefined))
    )
  )
}

const SNAPSHOT_TAR = "repo.tar"

/** Sandboxes are made by extracting this tar: ~10x faster than copying the tree file by file. */
const snapshot = (repo: string, repoDir: string, sharedDirs: ReadonlyArray<string>, tarPath: string) =>
  runProcess({
    argv: ["tar", "-C", repoDir, ...sharedDirs.map((d) => `--exclude=./${d}`), "-cf", tarPath, "."],
    cwd: repoDir,
    env: { PATH: "/usr/bin:/bin" },
    timeoutMs: 10 * 60_000,
    maxOutputBytes: 64 * 1024
  }).pipe(
    Effect.mapError((e) => failWith(repo, `snapshot: ${e.message}`)),
    Effect.flatMap((r) => r.exitCode === 0 ? Effect.void : Effect.fail(failWith(repo, `snapshot tar failed: ${r.stderr}`)))
  )

const readRecord = (dir: string) =>
  Effect.promise(async () => {
    const text = await fs.readFile(join(dir, "env.json"), "utf8").catch(() => undefined)
    return text === undefined ? undefined : (JSON.parse(text) as EnvRecord)
  })

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Cross-process lock by atomic mkdir; a lock whose owner died is broken. */
const withDirLock = <A, E, R>(lockDir: string, body: Effect.Effect<A, E, R>) => {
  const tryTake = Effect.promise(async () => {
    try {
      await fs.mkdir(lockDir, { recursive: false })
      await fs.writeFile(join(lockDir, "pid"), String(process.pid))
      return true
    } catch {
      const owner = Number(await fs.readFile(join(lockDir, "pid"), "utf8").catch(() => "0"))
      if (owner > 0 && !pidAlive(owner)) await fs.rm(lockDir, { recursive: true, force: true })
      return false
    }
  })
  const take: Effect.Effect<void> = tryTake.pipe(
    Effect.flatMap((ok) => ok ? Effect.void : Effect.sleep("250 millis").pipe(Effect.andThen(Effect.suspend(() => take))))
  )
  return Effect.acquireUseRelease(
    take.pipe(Effect.timeout(LOCK_WAIT), Effect.orDie),
    () => body,
    () => Effect.promise(() => fs.rm(lockDir, { recursive: true, force: true }))
  )
}

/** Prepares repositories: fetch + install once per content key, shared read-only by every sandbox. */
export class Environments extends Context.Service<Environments, {
  prepare(loaded: LoadedProfile): Effect.Effect<PreparedEnv, PrepareError>
}>()("ssr/Environments") {
  static readonly layer = Layer.effect(
    Environments,
    Effect.gen(function*() {
      const inFlight = new Map<string, Deferred.Deferred<PreparedEnv, PrepareError>>()
      const prepareUncached = (loaded: LoadedProfile) =>
        Effect.gen(function*() {
          const identity = yield* sourceIdentity(loaded)
          const key = envKeyOf(identity, loaded)
          const envsDir = join(ssrHome(), "envs")
          const finalDir = join(envsDir, key)
          yield* fsStep(loaded.profile.name, "create cache directory", () => fs.mkdir(envsDir, { recursive: true }))
          let record = yield* readRecord(finalDir)
          if (record === undefined) {
            record = yield* withDirLock(
              join(envsDir, `${key}.lock`),
              Effect.gen(function*() {
                const existing = yield* readRecord(finalDir)
                if (existing !== undefined) return existing
                yield* Effect.logInfo(`preparing ${loaded.profile.name} (${identity}) into ${finalDir}`)
                yield* buildEnv(loaded, identity, key, finalDir)
                return (yield* readRecord(finalDir))!
              })
            )
          }
          return {
            key,
            profile: loaded.profile,
            repoDir: join(finalDir, "repo"),
            snapshotTar: join(finalDir, SNAPSHOT_TAR),
            rev: record.rev,
            sharedDirs: record.sharedDirs,
            trackedFiles: record.trackedFiles
          } satisfies PreparedEnv
        })
      const prepare = (loaded: LoadedProfile): Effect.Effect<PreparedEnv, PrepareError> =>
        Effect.gen(function*() {
          const memo = `${loaded.file}`
          const existing = inFlight.get(memo)
          if (existing !== undefined) return yield* Deferred.await(existing)
          const deferred = yield* Deferred.make<PreparedEnv, PrepareError>()
          inFlight.set(memo, deferred)
          const exit = yield* Effect.exit(prepareUncached(loaded))
          if (exit._tag === "Failure") inFlight.delete(memo)
          yield* Deferred.done(deferred, exit)
          return yield* exit
        })
      return Environments.of({ prepare })
    })
  )
}
