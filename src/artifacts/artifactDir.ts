import { promises as fs } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import * as z from "zod"
import {
  ArtifactMetadata,
  type BugArtifact,
  formatTestFilesList,
  METADATA_FILE,
  PAPER_FILE_NAMES,
  PRED_PATCH_FILE
} from "../domain/artifact.ts"
import { HostIoError, UsageError } from "../domain/errors.ts"
import { decodeArtifactFiles, isArtifactContentFile } from "./artifactFiles.ts"

const readIfExists = (path: string) =>
  fs.readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined
    throw e
  })

export interface ReadArtifact {
  readonly artifact: BugArtifact
  readonly metadata?: ArtifactMetadata | undefined
}

/**
 * Reads a bug artifact directory, accepting the paper's file names and the alternative ones of its prompts
 * (the paper's name wins when both exist). A missing file is recorded, not an error: the checks judge it.
 * Only a path that is not a readable directory is a usage error.
 */
export const readArtifactDir = Effect.fn("readArtifactDir")(function*(dir: string) {
  const names = yield* Effect.tryPromise({
    try: () => fs.readdir(dir),
    catch: () => new UsageError({ message: `not a readable artifact directory: ${dir}` })
  })
  const present = new Set(names)
  const files = new Map<string, string>()
  for (const name of names.filter(isArtifactContentFile)) {
    files.set(name, yield* Effect.tryPromise({
      try: () => fs.readFile(join(dir, name), "utf8"),
      catch: (cause) => new HostIoError({ message: `cannot read ${join(dir, name)}`, operation: "read artifact", cause })
    }))
  }
  const artifact = decodeArtifactFiles(files)
  const metadataText = present.has(METADATA_FILE) ? yield* Effect.promise(() => readIfExists(join(dir, METADATA_FILE))) : undefined
  let metadata: ArtifactMetadata | undefined
  if (metadataText !== undefined) {
    const parsed = yield* Effect.try({
      try: () => ArtifactMetadata.parse(JSON.parse(metadataText)),
      catch: (e) => new UsageError({ message: `invalid ${METADATA_FILE} in ${dir}: ${e instanceof z.ZodError ? z.prettifyError(e) : String(e)}` })
    })
    metadata = parsed
  }
  return { artifact, metadata } satisfies ReadArtifact
})

/**
 * Writes an artifact with the paper's names (and its extra layers and metadata), atomically: into a
 * temporary sibling directory renamed into place, so a crash never leaves a half-written bug.
 */
export const writeArtifactDir = Effect.fn("writeArtifactDir")(function*(
  dir: string,
  artifact: Omit<BugArtifact, "missing" | "naming">,
  metadata?: ArtifactMetadata
) {
  const files: Array<[string, string]> = [
    [PAPER_FILE_NAMES.testScript, artifact.testScript],
    [PAPER_FILE_NAMES.testFiles, formatTestFilesList(artifact.testFiles)],
    [PAPER_FILE_NAMES.testParser, artifact.testParser],
    [PAPER_FILE_NAMES.bugInject, artifact.bugInjectDiff],
    [PAPER_FILE_NAMES.testWeaken, artifact.testWeakenDiff],
    ...artifact.extraLayers.map((layer, i): [string, string] => [i === 0 ? PRED_PATCH_FILE : `pred_patch.${i + 1}.diff`, layer]),
    ...(metadata === undefined ? [] : [[METADATA_FILE, JSON.stringify(metadata, null, 2) + "\n"] as [string, string]])
  ]
  yield* Effect.tryPromise({
    try: async () => {
      const staging = `${dir}.tmp-${process.pid}`
      await fs.rm(staging, { recursive: true, force: true })
      await fs.mkdir(staging, { recursive: true })
      for (const [name, text] of files) await fs.writeFile(join(staging, name), text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 })
      await fs.rm(dir, { recursive: true, force: true })
      await fs.rename(staging, dir)
    },
    catch: (cause) => new HostIoError({ message: `cannot write artifact ${dir}`, operation: "write artifact", cause })
  })
})
