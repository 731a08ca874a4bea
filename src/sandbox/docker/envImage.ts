import { createHash } from "node:crypto"
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
  ownerLabels,
  sandboxError,
  statusCodeOf,
  tryDocker
} from "./client.ts"
import { EXEC_PID_DIR } from "./exec.ts"
import { packDirectory } from "./tar.ts"

export const SANDBOX_REPO_DIR = "/repo"
export const SANDBOX_WORK_DIR = "/ssr"
export const SANDBOX_HOME = "/tmp/home"

/** `ssr-env:<key>` when the key is a valid tag, else a hash of it. */
export const envImageTag = (key: string): string =>
  /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(key)
    ? key
    : createHash("sha256").update(key).digest("hex").slice(0, 40)

export const envImageName = (key: string): string => `${ENV_IMAGE_REPO}:${envImageTag(key)}`

export interface EnvImages {
  /** The image id for this env: reused when present and built on the current base image, else built once. */
  ensure(env: PreparedEnv): Effect.Effect<string, SandboxError>
  /** Forgets a cached id (e.g. the image was removed behind the engine's back). */
  invalidate(env: PreparedEnv): void
}

const inspectImage = (docker: Docker, name: string) =>
  tryDocker(`inspect image ${name}`, () => docker.getImage(name).inspect()).pipe(
    Effect.map((info): Docker.ImageInspectInfo | undefined => info),
    Effect.catchIf((e) => statusCodeOf(e.cause) === 404, () => Effect.succeed(undefined))
  )

/**
 * Base image + the prepared tree at /repo (with .git and node_modules), plus the engine's directories:
 * a container from the base gets the tree by putArchive (streamed, never written to disk), then is committed.
 */
const build = (docker: Docker, env: PreparedEnv, baseImage: string, baseId: string) =>
  Effect.acquireUseRelease(
    tryDocker("create build container", () =>
      docker.createContainer({
        Image: baseId,
        Cmd: ["sleep", "infinity"],
        Labels: { ...ownerLabels(), [LABEL_ROLE]: "build", [LABEL_ENV]: env.key },
        HostConfig: { NetworkMode: "none" }
      })),
    (container) =>
      Effect.gen(function*() {
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
            container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" })
          ]))
        const committed = yield* tryDocker("commit env image", () =>
          container.commit({
            _query: { container: container.id, repo: ENV_IMAGE_REPO, tag: envImageTag(env.key) },
            _body: {
              Cmd: ["sleep", "infinity"],
              WorkingDir: SANDBOX_REPO_DIR,
              Labels: {
                [LABEL_ENGINE]: "1",
                [LABEL_ROLE]: "env",
                [LABEL_ENV]: env.key,
                [LABEL_PROFILE]: env.profile.name,
                [LABEL_BASE]: baseId,
                [LABEL_PURPOSE]: `env ${env.profile.name} (base ${baseImage})`
              }
            }
          }) as Promise<{ Id: string }>)
        return committed.Id
      }),
    (container) => tryDocker("remove build container", () => container.remove({ force: true, v: true })).pipe(Effect.ignore)
  )

export const makeEnvImages = (docker: Docker, baseImage: string, scope: Scope.Scope): EnvImages => {
  const builds = new Map<string, Deferred.Deferred<string, SandboxError>>()

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
      if (existing !== undefined && labels[LABEL_ENV] === env.key && labels[LABEL_BASE] === base.Id) return existing.Id
      return yield* build(docker, env, baseImage, base.Id)
    }).pipe(Effect.withSpan("SandboxDocker.envImage", { attributes: { env: env.key } }))

  // One build per key even under concurrent acquires: the first caller forks the build into the layer's scope
  // (so its own interruption does not strand the others) and everyone awaits the same Deferred.
  const ensure = (env: PreparedEnv) =>
    Effect.suspend(() => {
      const pending = builds.get(env.key)
      if (pending !== undefined) return Deferred.await(pending)
      const deferred = Deferred.makeUnsafe<string, SandboxError>()
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
