import {
  ALTERNATIVE_FILE_NAMES,
  type ArtifactRole,
  type BugArtifact,
  type NamingVariant,
  PAPER_FILE_NAMES,
  parseTestFilesList,
  PRED_PATCH_FILE
} from "../domain/artifact.ts"

const ROLES = Object.keys(PAPER_FILE_NAMES) as Array<ArtifactRole>

/** Every name a bug artifact's five files may have (the paper's and the alternative ones). */
export const ARTIFACT_FILE_NAMES: ReadonlyArray<string> = [
  ...Object.values(PAPER_FILE_NAMES),
  ...Object.values(ALTERNATIVE_FILE_NAMES).filter((n): n is string => n !== undefined)
]

/** Extra layers of a higher-order bug: pred_patch.diff, then pred_patch.2.diff, pred_patch.3.diff, … */
export const layerFileNames = (names: Iterable<string>): Array<string> =>
  [...names]
    .filter((n) => n === PRED_PATCH_FILE || /^pred_patch\.\d+\.diff$/.test(n))
    .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]) || a.localeCompare(b))

/** Whether a directory listing may hold content the decoder reads (artifact files and extra layers). */
export const isArtifactContentFile = (name: string): boolean =>
  ARTIFACT_FILE_NAMES.includes(name) || layerFileNames([name]).length === 1

/**
 * Decodes a bug artifact from its files (name → text), accepting the paper's names and the alternative ones
 * of its prompts; the paper's name wins when both exist. A missing file is recorded in `missing` (held as
 * ""), never an error: the consistency checks judge it.
 */
export const decodeArtifactFiles = (files: ReadonlyMap<string, string>): BugArtifact => {
  const content: Partial<Record<ArtifactRole, string>> = {}
  const missing: Array<ArtifactRole> = []
  const styles = new Set<"paper" | "alternative">()
  for (const role of ROLES) {
    const paper = PAPER_FILE_NAMES[role]
    const alternative = ALTERNATIVE_FILE_NAMES[role]
    const name = files.has(paper) ? paper : alternative !== undefined && files.has(alternative) ? alternative : undefined
    if (name === undefined) {
      missing.push(role)
      continue
    }
    if (alternative !== undefined) styles.add(name === alternative ? "alternative" : "paper")
    content[role] = files.get(name)!
  }
  const naming: NamingVariant = styles.size === 2 ? "mixed" : styles.has("alternative") ? "alternative" : "paper"
  return {
    testScript: content.testScript ?? "",
    testFiles: parseTestFilesList(content.testFiles ?? ""),
    testParser: content.testParser ?? "",
    bugInjectDiff: content.bugInject ?? "",
    testWeakenDiff: content.testWeaken ?? "",
    extraLayers: layerFileNames(files.keys()).map((n) => files.get(n)!),
    missing,
    naming
  }
}
