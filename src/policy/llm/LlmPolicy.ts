import { Effect, Layer } from "effect"
import { budgetsOf } from "../../agents/budget.ts"
import { type EpisodeSpec, runEpisode } from "../../agents/loop.ts"
import { injectorSystemPrompt, injectorTaskPrompt } from "../../agents/prompts/injector.ts"
import { solverSystemPrompt } from "../../agents/prompts/solver.ts"
import { bashTool, sandboxFailure } from "../../agents/tools/bash.ts"
import { editorTool } from "../../agents/tools/editor.ts"
import { submitArtifactTool, submitTool } from "../../agents/tools/submit.ts"
import type { BugArtifact } from "../../domain/artifact.ts"
import type { GameConfig } from "../../domain/game.ts"
import { PolicyVersion } from "../../experience/PolicyVersion.ts"
import { LanguageModel } from "../../llm/LanguageModel.ts"
import type { Sandbox } from "../../sandbox/Sandbox.ts"
import { type InjectRequest, type InjectResult, Policy, type SolveRequest } from "../Policy.ts"

export interface LlmPolicyOptions {
  /** Shown in trajectories and bug provenance; defaults to "<provider>:<model>". */
  readonly name?: string | undefined
  /** Completion tokens per turn (also capped by what is left of game.budgets.agentTokens). Default 8192. */
  readonly maxOutputTokens?: number | undefined
  /** Tool outputs longer than this are cut in the middle, with a notice. Default 16,000 characters. */
  readonly maxObservationChars?: number | undefined
}

/** The submission directory of an injector episode: in the sandbox's work dir, outside the repository. */
export const submissionDirOf = (sandbox: Sandbox): string => `${sandbox.workDir}/submission`

/**
 * The Policy port over one LanguageModel for both roles (GAME.md §1): the role is the prompt. Every
 * episode is tagged with the policy version read from PolicyVersion when it starts.
 */
export const llmPolicyLayer = (options: LlmPolicyOptions = {}): Layer.Layer<Policy, never, LanguageModel | PolicyVersion> =>
  Layer.effect(Policy, Effect.gen(function*() {
    const model = yield* LanguageModel
    const versions = yield* PolicyVersion
    const name = options.name ?? `${model.provider}:${model.model}`

    const episode = (spec: Omit<EpisodeSpec, "policy" | "budgets" | "sampling" | "strictFormat" | "maxOutputTokens" | "maxObservationChars">, game: GameConfig, version: string) =>
      runEpisode({
        ...spec,
        policy: { name, version },
        budgets: budgetsOf(game),
        sampling: game.sampling,
        strictFormat: game.strictFormat,
        maxOutputTokens: options.maxOutputTokens ?? 8192,
        maxObservationChars: options.maxObservationChars ?? 16_000
      }).pipe(Effect.provideService(LanguageModel, model))

    const inject = Effect.fn("LlmPolicy.inject")(function*(request: InjectRequest) {
      const version = yield* versions.current
      const { sandbox } = request
      const submissionDir = submissionDirOf(sandbox)
      yield* sandbox.exec({ argv: ["mkdir", "-p", submissionDir], timeoutMs: 30_000 }).pipe(Effect.mapError(sandboxFailure))
      let submitted: BugArtifact | undefined
      const trajectory = yield* episode({
        role: "injector",
        system: injectorSystemPrompt(sandbox.repoDir),
        task: injectorTaskPrompt({
          strategy: request.strategy,
          repoDir: sandbox.repoDir,
          submissionDir,
          thresholds: request.game.thresholds,
          targetFiles: request.targetFiles
        }),
        tools: [bashTool, editorTool, submitArtifactTool(submissionDir, (artifact) => Effect.sync(() => void (submitted = artifact)))],
        sandbox,
        seed: request.seed,
        onStep: request.onStep
      }, request.game, version)
      let artifact: InjectResult["artifact"]
      if (submitted !== undefined) {
        const { extraLayers: _firstOrderOnly, ...files } = submitted
        artifact = files
      }
      return { artifact, trajectory } satisfies InjectResult
    })

    const solve = Effect.fn("LlmPolicy.solve")(function*(request: SolveRequest) {
      const version = yield* versions.current
      const trajectory = yield* episode({
        role: "solver",
        system: solverSystemPrompt(request.sandbox.repoDir),
        task: request.prompt,
        tools: [bashTool, editorTool, submitTool],
        sandbox: request.sandbox,
        seed: request.seed,
        onStep: request.onStep
      }, request.game, version)
      return { trajectory }
    })

    return Policy.of({ name, version: versions.current, inject, solve })
  }))
