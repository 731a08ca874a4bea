import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { localSandboxRoot, SandboxLocal } from "../../src/sandbox/local/SandboxLocal.ts"
import { sandboxConformance } from "./conformance.ts"

sandboxConformance("local", SandboxLocal.layer, {
  isReleased: (sandbox) => Effect.sync(() => !existsSync(join(localSandboxRoot(), sandbox.id)))
})
