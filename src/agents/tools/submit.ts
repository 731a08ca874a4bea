import { Effect } from "effect"
import * as z from "zod"
import { ARTIFACT_FILE_NAMES, decodeArtifactFiles } from "../../artifacts/artifactFiles.ts"
import { type BugArtifact, PAPER_FILE_NAMES } from "../../domain/artifact.ts"
import { defineTool } from "./Tool.ts"

export const SubmitInput = z.object({})

/** The solver's submit: its edits are read from the sandbox by the engine, so there is nothing to pass. */
export const submitTool = defineTool({
  name: "submit",
  description: "Finish the episode. Call it once, when your work in the repository is complete; nothing can be changed afterwards.",
  input: SubmitInput
}, () => Effect.succeed({ kind: "submit", output: "Submitted." }))

/**
 * The injector's submit: reads the submission directory (the paper's and the alternative file names) and
 * decodes it into an artifact. Missing files do not block submission: they are recorded in `missing` and
 * the consistency checks fail them.
 */
export const submitArtifactTool = (submissionDir: string, onArtifact: (artifact: BugArtifact) => Effect.Effect<void>) =>
  defineTool({
    name: "submit",
    description:
      `Submit the bug artifact written in ${submissionDir} and finish the episode. Call it once, when all five files are written; ` +
      "nothing can be changed afterwards.",
    input: SubmitInput
  }, (_args, context) =>
    Effect.gen(function*() {
      const files = new Map<string, string>()
      for (const name of ARTIFACT_FILE_NAMES) {
        const bytes = yield* context.sandbox.readFile(`${submissionDir}/${name}`).pipe(
          Effect.catchTag("SandboxError", () => Effect.succeed(undefined))
        )
        if (bytes !== undefined) files.set(name, new TextDecoder().decode(bytes))
      }
      const artifact = decodeArtifactFiles(files)
      yield* onArtifact(artifact)
      const missing = artifact.missing.map((role) => PAPER_FILE_NAMES[role])
      return {
        kind: "submit" as const,
        output: missing.length === 0 ? "Submitted all five files." : `Submitted; these files were missing: ${missing.join(", ")}.`
      }
    }))
