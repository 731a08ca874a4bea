import { Effect, Layer } from "effect"
import type { EngineOptions } from "./cli/options.ts"
import { Environments } from "./env/Environments.ts"
import { BaselineCache } from "./execution/BaselineCache.ts"
import { SandboxDocker } from "./sandbox/docker/SandboxDocker.ts"
import { SandboxLocal } from "./sandbox/local/SandboxLocal.ts"
import type { SandboxProvider } from "./sandbox/Sandbox.ts"
import type { SandboxError } from "./domain/errors.ts"

/**
 * The composition root's backend choices: the only module that imports concrete adapters. Commands hand it
 * their flags and get their services provided.
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
