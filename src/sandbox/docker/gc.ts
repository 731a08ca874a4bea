import { Effect } from "effect"
import type { SandboxError } from "../../domain/errors.ts"
import { LABEL_ENGINE, LABEL_OWNER_PID, LABEL_ROLE, LABEL_SHARED, makeDockerClient, ownerAlive, statusCodeOf, tryDocker } from "./client.ts"
import { parseShared } from "./envImage.ts"

export interface GcOptions {
  /** Remove every container of the engine, even those whose owner still runs. */
  readonly all?: boolean | undefined
  /**
   * Also remove the engine's dangling images (env images replaced by a rebuild) and the shared-directory volumes
   * no env image refers to any more.
   */
  readonly images?: boolean | undefined
}

export interface GcResult {
  readonly removedContainers: ReadonlyArray<{ readonly id: string; readonly name: string; readonly ownerPid: string }>
  readonly removedImages: ReadonlyArray<string>
  readonly removedVolumes: ReadonlyArray<string>
}

const ignoreGone = <A>(effect: Effect.Effect<A, SandboxError>) =>
  effect.pipe(
    Effect.map((): boolean => true),
    // Gone already, or being removed by its owner right now.
    Effect.catchIf((e) => statusCodeOf(e.cause) === 404 || statusCodeOf(e.cause) === 409, () => Effect.succeed(false))
  )

/**
 * Backs `ssr sandbox gc`: removes the containers labelled `ssr.engine=1` whose owner process (pid and start
 * time from the labels) no longer runs — left behind by an engine killed with SIGKILL — or all of them with
 * `all`. Owners are looked up in this machine's process table, so run it where the engines run.
 */
export const gcDocker = (options: GcOptions = {}): Effect.Effect<GcResult, SandboxError> =>
  Effect.gen(function*() {
    const docker = makeDockerClient()
    const containers = yield* tryDocker("list containers", () =>
      docker.listContainers({ all: true, filters: { label: [`${LABEL_ENGINE}=1`] } }))
    const stale = containers.filter((c) => options.all === true || !ownerAlive(c.Labels ?? {}))
    const removedContainers = yield* Effect.forEach(stale, (c) =>
      ignoreGone(tryDocker(`remove container ${c.Id.slice(0, 12)}`, () =>
        docker.getContainer(c.Id).remove({ force: true, v: true }))).pipe(
          Effect.map((removed) =>
            removed
              ? [{ id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, ""), ownerPid: c.Labels?.[LABEL_OWNER_PID] ?? "" }]
              : []
          )
        ), { concurrency: 4 }).pipe(Effect.map((lists) => lists.flat()))

    const removedImages: Array<string> = []
    const removedVolumes: Array<string> = []
    if (options.images === true) {
      const dangling = yield* tryDocker("list images", () =>
        docker.listImages({ filters: { label: [`${LABEL_ENGINE}=1`], dangling: ["true"] } }))
      for (const image of dangling) {
        // 409: still used by a container (of a live engine); left for a later gc.
        const removed = yield* ignoreGone(tryDocker(`remove image ${image.Id}`, () => docker.getImage(image.Id).remove()))
        if (removed) removedImages.push(image.Id)
      }
      const images = yield* tryDocker("list images", () => docker.listImages({ filters: { label: [`${LABEL_ENGINE}=1`] } }))
      const referenced = new Set(images.flatMap((image) => parseShared(image.Labels?.[LABEL_SHARED]).map((s) => s.volume)))
      const volumes = yield* tryDocker("list volumes", () =>
        docker.listVolumes({ filters: { label: [`${LABEL_ENGINE}=1`, `${LABEL_ROLE}=shared`] } }))
      for (const volume of volumes.Volumes ?? []) {
        if (referenced.has(volume.Name)) continue
        const removed = yield* ignoreGone(tryDocker(`remove volume ${volume.Name}`, () => docker.getVolume(volume.Name).remove()))
        if (removed) removedVolumes.push(volume.Name)
      }
    }
    return { removedContainers, removedImages, removedVolumes }
  }).pipe(Effect.withSpan("SandboxDocker.gc"))
