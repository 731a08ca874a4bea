import { Effect, Layer } from "effect"
import { SandboxDocker } from "../../src/sandbox/docker/SandboxDocker.ts"
import { sandboxConformance } from "./conformance.ts"
import { describeDocker, engineContainers } from "./dockerSupport.ts"

describeDocker("docker conformance", () => {
  sandboxConformance("docker", SandboxDocker.layer.pipe(Layer.orDie), {
    isReleased: (sandbox) =>
      Effect.promise(() => engineContainers(`ssr.sandbox=${sandbox.id}`)).pipe(Effect.map((left) => left.length === 0))
  })
})
