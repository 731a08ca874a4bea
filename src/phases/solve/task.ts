import { Effect } from "effect"
import type { BugArtifact } from "../../domain/artifact.ts"
import { SandboxError } from "../../domain/errors.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import { applyDiff, shellQuote } from "../../sandbox/repoOps.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"

const GIT_TIMEOUT_MS = 120_000

/** The layers that make a bug's state, in order: the bug, the weakening, then failed patches (higher-order). */
export const bugLayers = (artifact: Pick<BugArtifact, "bugInjectDiff" | "testWeakenDiff" | "extraLayers">) => [
  artifact.bugInjectDiff,
  artifact.testWeakenDiff,
  ...artifact.extraLayers
]

const failed = (operation: string, detail: string) => new SandboxError({ message: `${operation}: ${detail}`, operation })

/**
 * Turns a fresh sandbox of the original repository into the solver's task (GAME.md §5): apply the bug, the
 * weakening and any failed patches, then delete .git and make one fresh commit. Nothing of the history (the
 * original code) remains readable. Shared dependency dirs are excluded from the new repository.
 */
export const buildSolverTask = Effect.fn("buildSolverTask")(function*(
  sandbox: Sandbox,
  env: PreparedEnv,
  artifact: Pick<BugArtifact, "bugInjectDiff" | "testWeakenDiff" | "extraLayers">
) {
  for (const [i, layer] of bugLayers(artifact).entries()) {
    const applied = yield* applyDiff(sandbox, layer)
    if (!applied.ok) return yield* failed("build solver task", `layer ${i + 1} does not apply: ${applied.reason}`)
  }
  const excludes = env.sharedDirs.map((d) => `/${d}/`).join("\n")
  const script = [
    "set -e",
    "rm -rf .git",
    "git init --quiet",
    `printf '%s\\n' ${shellQuote(excludes)} > .git/info/exclude`,
    "git add --all",
    "git -c commit.gpgsign=false commit --quiet --allow-empty -m 'Task'"
  ].join("\n")
  const r = yield* sandbox.exec({ argv: ["bash", "-c", script], timeoutMs: GIT_TIMEOUT_MS })
  if (r.exitCode !== 0) return yield* failed("build solver task", r.stderr.trim())
})

/**
 * The solver's patch (pred_patch.diff): every change since the task commit, new files included, except the
 * oracle test files (they are restored before judging anyway, and a higher-order bug must keep its parent's
 * weakening).
 */
export const extractPatch = Effect.fn("extractPatch")(function*(sandbox: Sandbox, oracleFiles: ReadonlyArray<string>) {
  const pathspec = [".", ...oracleFiles.map((f) => `:(exclude,literal)${f}`)]
  const script = `set -e\ngit add --all\ngit diff --cached --binary --no-color --no-ext-diff HEAD -- ${pathspec.map(shellQuote).join(" ")}`
  const r = yield* sandbox.exec({ argv: ["bash", "-c", script], timeoutMs: GIT_TIMEOUT_MS, maxOutputBytes: 32 * 1024 * 1024 })
  if (r.exitCode !== 0) return yield* failed("extract patch", r.stderr.trim())
  return r.stdout
})
