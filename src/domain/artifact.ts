import * as z from "zod"

/**
 * The five files of a bug artifact (GAME.md §2). Each role has the paper's name and, for three roles, the
 * alternative name used by the paper's prompts. Artifacts are always written back with the paper's names.
 */
export const ArtifactRole = z.enum(["testScript", "testFiles", "testParser", "bugInject", "testWeaken"])
export type ArtifactRole = z.infer<typeof ArtifactRole>

export const PAPER_FILE_NAMES: Readonly<Record<ArtifactRole, string>> = {
  testScript: "test_script.sh",
  testFiles: "test_files.txt",
  testParser: "test_parser.py",
  bugInject: "bug_inject.diff",
  testWeaken: "test_weaken.diff"
}

export const ALTERNATIVE_FILE_NAMES: Readonly<Partial<Record<ArtifactRole, string>>> = {
  testParser: "parse_test_output.py",
  bugInject: "bug_patch.diff",
  testWeaken: "test_patch.diff"
}

/** The solver's output file name, and the extra layer of a higher-order bug. */
export const PRED_PATCH_FILE = "pred_patch.diff"
/** Optional provenance written next to the five files. */
export const METADATA_FILE = "metadata.json"

export const NamingVariant = z.enum(["paper", "alternative", "mixed"])
export type NamingVariant = z.infer<typeof NamingVariant>

/** A bug artifact's content. A file the submitter did not provide is listed in `missing` and held as "". */
export interface BugArtifact {
  readonly testScript: string
  readonly testFiles: ReadonlyArray<string>
  readonly testParser: string
  readonly bugInjectDiff: string
  readonly testWeakenDiff: string
  /** Failed solver patches stacked on top of the bug, oldest first (empty for first-order bugs). */
  readonly extraLayers: ReadonlyArray<string>
  readonly missing: ReadonlyArray<ArtifactRole>
  readonly naming: NamingVariant
}

/** One relative path per line; blank lines and `#` comments are ignored, `./` prefixes and CRs are dropped. */
export const parseTestFilesList = (text: string): Array<string> => {
  const seen = new Set<string>()
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").trim()
    if (line.length === 0 || line.startsWith("#")) continue
    seen.add(line.replace(/^\.\//, ""))
  }
  return [...seen]
}

export const formatTestFilesList = (files: ReadonlyArray<string>): string =>
  files.length === 0 ? "" : files.join("\n") + "\n"

/** Provenance stored with an artifact (optional for audits; always written by the engine). */
export const ArtifactMetadata = z
  .object({
    schemaVersion: z.literal(1),
    id: z.string().min(1).describe("Stable bug id (content hash of the normalised diffs)"),
    repo: z.string().min(1).describe("Repository profile name"),
    rev: z.string().min(1).describe("Commit of the original repository"),
    strategy: z.string().min(1).describe("Injection strategy: removal | history | direct | higher-order | external"),
    policy: z.object({ name: z.string(), version: z.string() }).describe("Policy that produced the bug"),
    seed: z.int().optional(),
    order: z.int().min(1).describe("1 for injected bugs, 2+ for bugs made from failed solver patches"),
    parent: z.string().optional().describe("Parent bug id for higher-order bugs"),
    createdAt: z.string().describe("ISO-8601 time of creation"),
    hashes: z.object({
      bugInject: z.string(),
      testWeaken: z.string(),
      normalised: z.string().describe("Hash of the normalised bug diff used for deduplication")
    }),
    locations: z
      .array(z.object({ file: z.string(), symbol: z.string().optional() }))
      .default([])
      .describe("Files and symbols the bug touches (diversity keys)")
  })
  .meta({ id: "ArtifactMetadata", title: "Bug artifact metadata (metadata.json)" })
export type ArtifactMetadata = z.infer<typeof ArtifactMetadata>
