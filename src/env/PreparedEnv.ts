import type { RepoProfile } from "../domain/profile.ts"

/**
 * A repository fetched and with its dependencies installed, cached on the host by content and shared
 * read-only by every sandbox. Sandboxes copy `repoDir` (minus `sharedDirs`, which they mount read-only).
 */
export interface PreparedEnv {
  /** Content hash of (source content, install recipe); names the cache entry and the Docker image. */
  readonly key: string
  readonly profile: RepoProfile
  /** Host path of the pristine prepared repository (a git work tree whose HEAD is the original commit). */
  readonly repoDir: string
  /** Full commit id of the original state. */
  readonly rev: string
  /** Directories relative to the repo root that are shared read-only instead of copied (e.g. node_modules). */
  readonly sharedDirs: ReadonlyArray<string>
  /** Host path of a tar of `repoDir` without `sharedDirs` (entries relative to the repo root): the fast copy. */
  readonly snapshotTar: string
  /** Files tracked at `rev` (relative paths). */
  readonly trackedFiles: ReadonlyArray<string>
}
