import { Effect } from "effect"
import type { BugArtifact } from "../../domain/artifact.ts"
import type { GameConfig } from "../../domain/game.ts"
import type { Trajectory } from "../../domain/trajectory.ts"
import { reverseDiff } from "../../diff/index.ts"
import type { PreparedEnv } from "../../env/PreparedEnv.ts"
import type { RunLimits } from "../../execution/testRun.ts"
import { type OnStep, Policy } from "../../policy/Policy.ts"
import { SandboxProvider } from "../../sandbox/Sandbox.ts"
import { type Judgement, judgePatch } from "./judge.ts"
import { solverPrompt } from "./prompt.ts"
import { buildSolverTask, extractPatch } from "./task.ts"

export interface AttemptOutcome {
  readonly index: number
  readonly seed: number
  readonly patch: string
  readonly judgement: Judgement
  readonly trajectory: Trajectory
}

/** The solver's view of a bug: the reversed weakening, alone and inside the fixed template. */
export const solverSpec = (artifact: Pick<BugArtifact, "testWeakenDiff">, repoDir: string) => {
  const reversed = reverseDiff(artifact.testWeakenDiff)
  const spec = reversed.ok ? reversed.text : ""
  return { spec, prompt: solverPrompt(spec, repoDir) }
}

/**
 * One solver attempt: a fresh task sandbox (history wiped), the policy's episode, the patch read back from the
 * sandbox, then judging in another fresh sandbox with the oracle tests restored.
 */
export const solveAttempt = Effect.fn("solveAttempt")(function*(input: {
  readonly env: PreparedEnv
  readonly game: GameConfig
  readonly artifact: BugArtifact
  readonly baselineTests: ReadonlyArray<string>
  readonly limits: RunLimits
  readonly index: number
  readonly seed: number
  readonly onStep?: OnStep | undefined
}) {
  const policy = yield* Policy
  const { trajectory, patch } = yield* Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* (yield* SandboxProvider).acquire(input.env, { purpose: `solve-${input.index}` })
    const { spec, prompt } = solverSpec(input.artifact, sandbox.repoDir)
    yield* buildSolverTask(sandbox, input.env, input.artifact)
    const result = yield* policy.solve({ sandbox, prompt, spec, env: input.env, game: input.game, seed: input.seed, onStep: input.onStep })
    const patch = yield* extractPatch(sandbox, input.artifact.testFiles)
    return { trajectory: result.trajectory, patch }
  }))
  const judgement = yield* judgePatch({ env: input.env, artifact: input.artifact, patch, baselineTests: input.baselineTests, limits: input.limits })
  return { index: input.index, seed: input.seed, patch, judgement, trajectory } satisfies AttemptOutcome
})
