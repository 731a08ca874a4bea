import "./quietWarnings.ts"
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { auditCommand } from "./cli/audit.ts"
import { bugsCommand } from "./cli/bugs.ts"
import { cliTeardown } from "./cli/exit.ts"
import { playCommand } from "./cli/play.ts"
import { sandboxCommand } from "./cli/sandbox.ts"

const root = Command.make("ssr").pipe(
  Command.withDescription("Self-play SWE-RL engine: inject, validate, solve and score bugs over real repositories"),
  Command.withSubcommands([auditCommand, playCommand, bugsCommand, sandboxCommand])
)

Command.run(root, { version: "0.1.0" }).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: cliTeardown })
)
