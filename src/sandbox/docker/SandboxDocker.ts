import { randomBytes } from "node:crypto"
import { posix } from "node:path"
import type Docker from "dockerode"
import { Config, Effect, Layer } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import type { Isolation } from "../../domain/validation.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { baseSandboxEnv } from "../environment.ts"
import { type AcquireOptions, DEFAULT_MAX_OUTPUT_BYTES, type ExecRequest, type ExecResult, type Sandbox, type SandboxFile, SandboxProvider } from "../Sandbox.ts"
import {
  DEFAULT_BASE_IMAGE,
  LABEL_ENV,
  LABEL_PROFILE,
  LABEL_PURPOSE,
  LABEL_ROLE,
  LABEL_SANDBOX,
  makeDockerClient,
  ownerLabels,
  sandboxError,
  statusCodeOf,
  tryDocker
} from "./client.ts"
import { type EnvImage, makeEnvImages, SANDBOX_HOME, SANDBOX_REPO_DIR, SANDBOX_WORK_DIR } from "./envImage.ts"
import { dockerExec } from "./exec.ts"
import { packFiles, readFirstEntry } from "./tar.ts"

export const SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"

export interface DockerSandboxOptions {
  /** Image the env images are built on (scripts/build-base-image.sh). */
  readonly baseImage: string
  /** Memory limit per sandbox (swap included, so no swap). */
  readonly memoryBytes: number
  /** Process limit per sandbox: what stops a fork bomb. */
  readonly pids: number
  readonly cpus: number
}

export const DEFAULT_DOCKER_OPTIONS: DockerSandboxOptions = {
  baseImage: DEFAULT_BASE_IMAGE,
  memoryBytes: 2 * 1024 ** 3,
  pids: 512,
  cpus: 1
}

export const dockerIsolation = (options: DockerSandboxOptions, network = false): Isolation => ({
  backend: "docker",
  tool: "docker",
  network: network ? "host" : "none",
  filesystem:
    "the container's own copy-on-write root (env image: base + repository); shared dependency directories are read-only volumes; nothing of the host is mounted",
  processes:
    "own PID namespace; a timed-out or capped command's session and descendants are SIGKILLed inside; the container is removed on release",
  limits: { memoryBytes: options.memoryBytes, pids: options.pids, cpus: options.cpus }
})

const envList = (vars: Readonly<Record<string, string>>): Array<string> =>
  Object.entries(vars).map(([key, value]) => `${key}=${value}`)

const removeContainer = (container: Docker.Container) =>
  tryDocker("remove container", () => container.remove({ force: true, v: true })).pipe(
    // 404: already gone; 409: a removal is already in progress.
    Effect.catchIf((e) => statusCodeOf(e.cause) === 404 || statusCodeOf(e.cause) === 409, () => Effect.void),
    Effect.retry({ times: 3 }),
    Effect.catch((e) => Effect.logWarning(`sandbox container ${container.id.slice(0, 12)} not removed: ${e.message}`))
  )

interface Created {
  readonly id: string
  readonly container: Docker.Container
}

const make = (options: DockerSandboxOptions) =>
  Effect.gen(function*() {
    const docker = makeDockerClient()
    yield* tryDocker("ping", () => docker.ping()).pipe(
      Effect.mapError((e) =>
        sandboxError("ping")(new Error(`no Docker engine answers (${e.message}); run scripts/docker-setup.sh`))
      )
    )
    const images = makeEnvImages(docker, options.baseImage, yield* Effect.scope)

    const createAndStart = (env: PreparedEnv, image: EnvImage, acquireOptions: AcquireOptions | undefined) =>
      Effect.gen(function*() {
        const id = randomBytes(6).toString("hex")
        const network = acquireOptions?.network === true
        const container = yield* tryDocker("create container", () =>
          docker.createContainer({
            name: `ssr-sbx-${id}`,
            Image: image.id,
            Cmd: ["sleep", "infinity"],
            WorkingDir: SANDBOX_REPO_DIR,
            Env: envList(baseSandboxEnv(SANDBOX_PATH, SANDBOX_HOME, env.profile.env)),
            Labels: {
              ...ownerLabels(),
              [LABEL_ROLE]: "sandbox",
              [LABEL_SANDBOX]: id,
              [LABEL_ENV]: env.key,
              [LABEL_PROFILE]: env.profile.name,
              [LABEL_PURPOSE]: acquireOptions?.purpose ?? ""
            },
            NetworkDisabled: !network,
            HostConfig: {
              Init: true,
              NetworkMode: network ? "bridge" : "none",
              Memory: options.memoryBytes,
              MemorySwap: options.memoryBytes,
              PidsLimit: options.pids,
              NanoCpus: Math.round(options.cpus * 1e9),
              CapDrop: ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP"],
              SecurityOpt: ["no-new-privileges"],
              Mounts: image.shared.map(({ dir, volume }) => ({
                Type: "volume" as const,
                Source: volume,
                Target: `${SANDBOX_REPO_DIR}/${dir}`,
                ReadOnly: true
              }))
            }
          }))
        // Started here, not in a second step: a container that fails to start is removed before the error.
        yield* tryDocker("start container", () => container.start()).pipe(
          Effect.tapError(() => removeContainer(container))
        )
        return { id, container } satisfies Created
      })

    const acquireContainer = (env: PreparedEnv, acquireOptions: AcquireOptions | undefined) =>
      images.ensure(env).pipe(
        Effect.flatMap((image) => createAndStart(env, image, acquireOptions)),
        // The image vanished behind the engine's back (e.g. `docker rmi`): build it again, once.
        Effect.catchIf(
          (e) => statusCodeOf(e.cause) === 404,
          () => {
            images.invalidate(env)
            return images.ensure(env).pipe(Effect.flatMap((image) => createAndStart(env, image, acquireOptions)))
          }
        )
      )

    const acquire = (env: PreparedEnv, acquireOptions?: AcquireOptions) =>
      Effect.acquireRelease(acquireContainer(env, acquireOptions), ({ container }) => removeContainer(container)).pipe(
        Effect.map((created) => makeSandbox(env, created, options, acquireOptions?.network === true)),
        Effect.withSpan("SandboxDocker.acquire", { attributes: { env: env.key } })
      )

    return SandboxProvider.of({ backend: "docker", isolation: dockerIsolation(options), acquire })
  })

const makeSandbox = (env: PreparedEnv, created: Created, options: DockerSandboxOptions, network: boolean): Sandbox => {
  const { container } = created
  const inside = (path: string) => posix.resolve(SANDBOX_REPO_DIR, path)

  let restarting: Promise<void> | undefined
  const restart = () => {
    restarting ??= (async () => {
      await container.kill({ signal: "SIGKILL" }).catch(() => undefined)
      await container.wait({ condition: "not-running" }).catch(() => undefined)
      await container.start()
    })().finally(() => {
      restarting = undefined
    })
    return restarting
  }

  const exec = (request: ExecRequest): Effect.Effect<ExecResult, SandboxError> =>
    dockerExec({ container, restart }, {
      argv: request.argv,
      cwd: inside(request.cwd ?? SANDBOX_REPO_DIR),
      env: envList(baseSandboxEnv(SANDBOX_PATH, SANDBOX_HOME, { ...env.profile.env, ...request.env })),
      stdin: request.stdin,
      timeoutMs: request.timeoutMs,
      maxOutputBytes: request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      phases: request.phases
    }).pipe(Effect.withSpan("SandboxDocker.exec", { attributes: { argv0: request.argv[0] ?? "" } }))

  const readFile = (path: string) =>
    tryDocker(`read ${path}`, () => container.getArchive({ path: inside(path) })).pipe(
      Effect.flatMap((stream) => tryDocker(`read ${path}`, () => readFirstEntry(stream))),
      Effect.flatMap((entry) =>
        entry.kind === "file"
          ? Effect.succeed<Uint8Array | undefined>(entry.content)
          : Effect.fail(sandboxError(`read ${path}`)(new Error(`${path} is not a regular file (${entry.type})`)))
      ),
      Effect.catchIf((e) => statusCodeOf(e.cause) === 404, () => Effect.succeed(undefined))
    )

  // Relative to /, so the daemon creates missing parents; paths resolve inside the container's root.
  const writeFiles = (files: ReadonlyArray<SandboxFile>) =>
    tryDocker(`write ${files.map((f) => f.path).join(", ")}`, async () => {
      if (files.length === 0) return
      const archive = await packFiles(files.map((f) => ({ name: inside(f.path).slice(1), content: f.content, mode: f.mode ?? 0o644 })))
      await container.putArchive(archive, { path: "/" })
    })

  const writeFile = (path: string, content: string | Uint8Array, writeOptions?: { readonly mode?: number }) =>
    writeFiles([{ path, content, mode: writeOptions?.mode }])

  return {
    id: created.id,
    repoDir: SANDBOX_REPO_DIR,
    workDir: SANDBOX_WORK_DIR,
    isolation: dockerIsolation(options, network),
    exec,
    readFile,
    writeFile,
    writeFiles
  }
}

const optionsFromConfig = Config.all({
  baseImage: Config.String("SSR_DOCKER_BASE_IMAGE").pipe(Config.withDefault(DEFAULT_DOCKER_OPTIONS.baseImage)),
  memoryBytes: Config.Int("SSR_DOCKER_MEMORY_BYTES").pipe(Config.withDefault(DEFAULT_DOCKER_OPTIONS.memoryBytes)),
  pids: Config.Int("SSR_DOCKER_PIDS").pipe(Config.withDefault(DEFAULT_DOCKER_OPTIONS.pids)),
  cpus: Config.Number("SSR_DOCKER_CPUS").pipe(Config.withDefault(DEFAULT_DOCKER_OPTIONS.cpus))
})

export const SandboxDocker = {
  /** Limits from SSR_DOCKER_{BASE_IMAGE,MEMORY_BYTES,PIDS,CPUS}, else DEFAULT_DOCKER_OPTIONS. */
  layer: Layer.effect(
    SandboxProvider,
    Effect.gen(function*() {
      return yield* optionsFromConfig
    }).pipe(Effect.mapError(sandboxError("read configuration")), Effect.flatMap(make))
  ),
  layerWith: (options: Partial<DockerSandboxOptions>) =>
    Layer.effect(SandboxProvider, make({ ...DEFAULT_DOCKER_OPTIONS, ...options }))
}
