import { createHash, randomBytes } from "node:crypto"
import { lstatSync } from "node:fs"
import { join, posix } from "node:path"
import type Docker from "dockerode"
import * as tar from "tar-stream"
import { Deferred, Effect, type Scope } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import {
  ENV_IMAGE_REPO,
  LABEL_BASE,
  LABEL_ENGINE,
  LABEL_ENV,
  LABEL_PROFILE,
  LABEL_PURPOSE,
  LABEL_ROLE,
  LABEL_SHARED,
  ownerLabels,
  sandboxError,
  statusCodeOf,
  tryDocker
} from "./client.ts"
import { EXEC_PID_DIR } from "./exec.ts"
import { packDirectory } from "./tar.ts"

/** Bumped whenever the layout of env images changes: images of another format are rebuilt. */
const ENV_IMAGE_FORMAT = "2"
const LABEL_FORMAT = "ssr.env-format"

export const SANDBOX_REPO_DIR = "/repo"
export const SANDBOX_WORK_DIR = "/ssr"
export const SANDBOX_HOME = "/tmp/home"

/** `ssr-env:<key>` when the key is a valid tag, else a hash of it. */
export const envImageTag = (key: string): string =>
  /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(key)
    ? key
    : createHash("sha256").update(key).digest("hex").slice(0, 40)

export const envImageName = (key: string): string => `${ENV_IMAGE_REPO}:${envImageTag(key)}`

export interface SharedVolume {
  /** Relative to the repository root. */
  readonly dir: string
  readonly volume: string
}

/**
 * An env image (base + the prepared tree at /repo, .git included) and the named volumes that hold the env's
 * shared directories (node_modules…): sandboxes mount those read-only, as the Local backend does with its
 * read-only binds, so no sandbox can alter the dependencies. Nothing of the host is mounted.
 */
export interface EnvImage {
  readonly id: string
  readonly shared: ReadonlyArray<SharedVolume>
}

export interface EnvImages {
  /** Reused when present, built on the current base image and its volumes exist; else built, once per key. */
  ensure(env: PreparedEnv): Effect.Effect<EnvImage, SandboxError>
  /** Forgets a cached image (e.g. it was removed behind the engine's back). */
  invalidate(env: PreparedEnv): void
}

const inspectImage = (docker: Docker, name: string) =>
  tryDocker(`inspect image ${name}`, () => docker.getImage(name).inspect()).pipe(
    Effect.map((info): Docker.ImageInspectInfo | undefined => info),
    Effect.catchIf((e) => statusCodeOf(e.cause) === 404, () => Effect.succeed(undefined))
  )

const volumeExists = (docker: Docker, name: string) =>
  tryDocker(`inspect volume ${name}`, () => docker.getVolume(name).inspect()).pipe(
    Effect.as(true),
    Effect.catchIf((e) => statusCodeOf(e.cause) === 404, () => Effect.succeed(false))
  )

export const parseShared = (label: string | undefined): Array<SharedVolume> => {
  try {
    const parsed: unknown = JSON.parse(label ?? "[]")
    return Array.isArray(parsed) ? parsed.filter((v): v is SharedVolume => typeof v?.dir === "string" && typeof v?.volume === "string") : []
  } catch {
    return []
  }
}

/** The env's shared directories that exist as real directories inside the repository. */
const sharedDirsOf = (env: PreparedEnv): Array<string> =>
  [...new Set(env.sharedDirs.map((d) => posix.normalize(d).replace(/^\.\/|\/+$/g, "")))].filter((dir) => {
    if (dir === "" || dir === "." || dir.startsWith("..") || posix.isAbsolute(dir)) return false
    try {
      return lstatSync(join(env.repoDir, dir)).isDirectory()
    } catch {
      return false
    }
  })

/**
 * A container from the base with the shared volumes mounted gets the whole tree by putArchive (streamed, never
 * written to disk; the shared directories land in their volumes), then is committed (volumes are not part of
 * the image, their mount points stay as empty directories).
 */
const build = (docker: Docker, env: PreparedEnv, baseImage: string, baseId: string) =>
  Effect.gen(function*() {
    const nonce = randomBytes(4).toString("hex")
    const shared = sharedDirsOf(env).map((dir, i): SharedVolume => ({ dir, volume: `ssr-${envImageTag(env.key).slice(0, 60)}-${nonce}-${i}` }))
    const volumes = Effect.acquireRelease(
      Effect.forEach(shared, ({ dir, volume }) =>
        tryDocker(`create volume ${volume}`, () =>
          docker.createVolume({ Name: volume, Labels: { [LABEL_ENGINE]: "1", [LABEL_ROLE]: "shared", [LABEL_ENV]: env.key, "ssr.shared-dir": dir } }))),
      (_, exit) =>
        exit._tag === "Success"
          ? Effect.void
          : Effect.forEach(shared, ({ volume }) => tryDocker("remove volume", () => docker.getVolume(volume).remove()).pipe(Effect.ignore))
    )
    const container = Effect.acquireRelease(
      tryDocker("create build container", () =>
        docker.createContainer({
          Image: baseId,
          Cmd: ["sleep", "infinity"],
          Labels: { ...ownerLabels(), [LABEL_ROLE]: "build", [LABEL_ENV]: env.key },
          HostConfig: {
            NetworkMode: "none",
            Mounts: shared.map(({ dir, volume }) => ({ Type: "volume" as const, Source: volume, Target: `${SANDBOX_REPO_DIR}/${dir}` }))
          }
        })),
      (c) => tryDocker("remove build container", () => c.remove({ force: true, v: true })).pipe(Effect.ignore)
    )
    return yield* Effect.scoped(Effect.gen(function*() {
      yield* volumes
      const builder = yield* container
      const pack = tar.pack()
      const directories = [
        { name: SANDBOX_WORK_DIR.slice(1), mode: 0o755 },
        { name: SANDBOX_HOME.slice(1), mode: 0o1777 },
        { name: EXEC_PID_DIR.slice(1), mode: 0o700 }
      ]
      // The upload consumes the archive while the host tree is walked.
      yield* tryDocker("upload repository", () =>
        Promise.all([
          packDirectory(pack, env.repoDir, SANDBOX_REPO_DIR.slice(1), directories),
          builder.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" })
        ]))
      const committed = yield* tryDocker("commit env image", () =>
        builder.commit({
          _query: { container: builder.id, repo: ENV_IMAGE_REPO, tag: envImageTag(env.key) },
          _body: {
            Cmd: ["sleep", "infinity"],
            WorkingDir: SANDBOX_REPO_DIR,
            Labels: {
              [LABEL_ENGINE]: "1",
              [LABEL_ROLE]: "env",
              [LABEL_ENV]: env.key,
              [LABEL_PROFILE]: env.profile.name,
              [LABEL_BASE]: baseId,
              [LABEL_FORMAT]: ENV_IMAGE_FORMAT,
              [LABEL_SHARED]: JSON.stringify(shared),
              [LABEL_PURPOSE]: `env ${env.profile.name} (base ${baseImage})`
            }
          }
        }) as Promise<{ Id: string }>)
      return { id: committed.Id, shared } satisfies EnvImage
    }))
  })

export const makeEnvImages = (docker: Docker, baseImage: string, scope: Scope.Scope): EnvImages => {
  const builds = new Map<string, Deferred.Deferred<EnvImage, SandboxError>>()

  const reuseOrBuild = (env: PreparedEnv) =>
    Effect.gen(function*() {
      const base = yield* inspectImage(docker, baseImage)
      if (base === undefined) {
        return yield* Effect.fail(sandboxError("find base image")(
          new Error(`${baseImage} is missing: run scripts/docker-setup.sh && scripts/build-base-image.sh`)
        ))
      }
      const existing = yield* inspectImage(docker, envImageName(env.key))
      const labels = existing?.Config?.Labels ?? {}
      if (existing !== undefined && labels[LABEL_ENV] === env.key && labels[LABEL_BASE] === base.Id && labels[LABEL_FORMAT] === ENV_IMAGE_FORMAT) {
        const shared = parseShared(labels[LABEL_SHARED])
        const present = yield* Effect.forEach(shared, ({ volume }) => volumeExists(docker, volume))
        if (present.every(Boolean)) return { id: existing.Id, shared } satisfies EnvImage
      }
      return yield* build(docker, env, baseImage, base.Id)
    }).pipe(Effect.withSpan("SandboxDocker.envImage", { attributes: { env: env.key } }))

  // One build per key even under concurrent acquires: the first caller forks the build into the layer's scope
  // (so its own interruption does not strand the others) and everyone awaits the same Deferred.
  const ensure = (env: PreparedEnv) =>
    Effect.suspend(() => {
      const pending = builds.get(env.key)
      if (pending !== undefined) return Deferred.await(pending)
      const deferred = Deferred.makeUnsafe<EnvImage, SandboxError>()
      builds.set(env.key, deferred)
      return reuseOrBuild(env).pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            if (exit._tag === "Failure" && builds.get(env.key) === deferred) builds.delete(env.key)
            return Deferred.done(deferred, exit)
          })
        ),
        Effect.forkIn(scope),
        Effect.andThen(Deferred.await(deferred))
      )
    })

  const invalidate = (env: PreparedEnv) => {
    builds.delete(env.key)
  }

  return { ensure, invalidate }
}
