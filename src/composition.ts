import { join } from "node:path"
import { Config, Effect, Layer, Option } from "effect"
import { SqliteBank } from "./bank/sqliteBank.ts"
import type { EngineOptions } from "./cli/options.ts"
import type { SandboxError } from "./domain/errors.ts"
import { UsageError } from "./domain/errors.ts"
import { Environments } from "./env/Environments.ts"
import { BaselineCache } from "./execution/BaselineCache.ts"
import { experienceSinkHttp } from "./experience/HttpSink.ts"
import { experienceSinkJsonl } from "./experience/JsonlSink.ts"
import { policyVersionFixed, policyVersionHttp } from "./experience/PolicyVersion.ts"
import { withStaleness } from "./experience/staleGuard.ts"
import { AnthropicModel } from "./llm/AnthropicModel.ts"
import { OpenAiCompatModel } from "./llm/OpenAiCompatModel.ts"
import type { RunConfig } from "./play/runConfig.ts"
import { llmPolicyLayer } from "./policy/llm/LlmPolicy.ts"
import { ProceduralPolicy } from "./policy/procedural/ProceduralPolicy.ts"
import { WorkerPool } from "./pool/WorkerPool.ts"
import { SandboxDocker } from "./sandbox/docker/SandboxDocker.ts"
import { SandboxLocal } from "./sandbox/local/SandboxLocal.ts"
import type { SandboxProvider } from "./sandbox/Sandbox.ts"

/*
 * The composition root's backend choices: the only module that imports concrete adapters. Commands hand it
 * their options and get their services provided.
 */

const sandboxLayer = (options: EngineOptions): Layer.Layer<SandboxProvider, SandboxError> => {
  switch (options.sandbox) {
    case "local":
      return SandboxLocal.layer
    case "docker":
      return SandboxDocker.layer
  }
}

export const engineLayer = (options: EngineOptions) =>
  Layer.mergeAll(
    Environments.layer,
    sandboxLayer(options),
    options.noCache ? BaselineCache.layerDisabled : BaselineCache.layerFiles
  )

export const withEngineLayers = (options: EngineOptions) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Effect.provide(engineLayer(options)))

const bankLayer = (outDir: string) => SqliteBank.layer(join(outDir, "bank.sqlite"))

export const withBank = (outDir: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Effect.provide(bankLayer(outDir)))

/** The policy version source: the policy service when one is configured, else fixed. */
const versionLayer = (config: RunConfig) => {
  const service = config.policy.policyServiceUrl ?? config.policy.experienceUrl
  if (service !== undefined) return policyVersionHttp({ url: service })
  return policyVersionFixed(config.policy.kind === "procedural" ? ProceduralPolicy.version : (config.policy.model ?? "0"))
}

const policyLayer = (config: RunConfig) => {
  const { policy } = config
  switch (policy.kind) {
    case "procedural":
      return ProceduralPolicy.layer.pipe(Layer.provide(WorkerPool.layer))
    case "openai":
      return llmPolicyLayer().pipe(Layer.provide(OpenAiCompatModel.layer({ baseURL: policy.baseUrl!, model: policy.model! })))
    case "anthropic":
      return Layer.unwrap(Effect.gen(function*() {
        const apiKey = yield* Config.String("ANTHROPIC_API_KEY").pipe(Config.option)
        if (Option.isNone(apiKey)) return yield* new UsageError({ message: "--policy anthropic needs ANTHROPIC_API_KEY in the environment" })
        return llmPolicyLayer().pipe(Layer.provide(AnthropicModel.layer({
          apiKey: apiKey.value, model: policy.model!, ...(policy.baseUrl === undefined ? {} : { baseURL: policy.baseUrl })
        })))
      }))
  }
}

/**
 * Experience goes to the policy service when --experience-url is given, else to JSONL files in the run dir.
 * SSR_EXPERIENCE_TIMEOUT_MS bounds one POST (default: the sink's).
 */
const sinkLayer = (config: RunConfig, outDir: string) => {
  const url = config.policy.experienceUrl
  const sink = url === undefined
    ? experienceSinkJsonl({ dir: join(outDir, "experience") })
    : Layer.unwrap(Config.Int("SSR_EXPERIENCE_TIMEOUT_MS").pipe(
      Config.option,
      Effect.map((timeout) => experienceSinkHttp({ url, spoolDir: join(outDir, "experience-spool"), requestTimeoutMs: Option.getOrUndefined(timeout) }))
    ))
  return withStaleness(config.game.staleness)(sink)
}

export const playLayer = (config: RunConfig, outDir: string) => {
  const version = versionLayer(config)
  return Layer.mergeAll(
    engineLayer({ sandbox: config.sandbox, noCache: config.noCache }),
    bankLayer(outDir),
    policyLayer(config).pipe(Layer.provide(version)),
    sinkLayer(config, outDir).pipe(Layer.provide(version))
  )
}

export const withPlayLayers = (config: RunConfig, outDir: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Effect.provide(playLayer(config, outDir)))
