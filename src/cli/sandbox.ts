import { Console, Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { gcDocker } from "../sandbox/docker/gc.ts"
import { gcLocal } from "../sandbox/local/SandboxLocal.ts"

const gcCommand = Command.make("gc", {
  all: Flag.Boolean("all").pipe(Flag.withDescription("Remove every sandbox of ours, even those of live engines"), Flag.withDefault(false)),
  images: Flag.Boolean("images").pipe(Flag.withDescription("Also remove dangling env images and unused shared volumes"), Flag.withDefault(false)),
  skipDocker: Flag.Boolean("skip-docker").pipe(Flag.withDescription("Only clean Local sandboxes"), Flag.withDefault(false))
}, (flags) =>
  Effect.gen(function*() {
    const local = yield* gcLocal({ all: flags.all })
    yield* Console.log(`local: removed ${local.length} sandbox director${local.length === 1 ? "y" : "ies"}`)
    if (flags.skipDocker) return
    const docker = yield* gcDocker({ all: flags.all, images: flags.images }).pipe(
      Effect.map((r) => `docker: removed ${r.removedContainers.length} container(s), ${r.removedImages.length} image(s), ${r.removedVolumes.length} volume(s)`),
      Effect.catch((e) => Effect.succeed(`docker: not cleaned (${e.message})`))
    )
    yield* Console.log(docker)
  })
).pipe(Command.withDescription("Remove sandboxes (directories, containers) left behind by crashed runs"))

export const sandboxCommand = Command.make("sandbox").pipe(
  Command.withDescription("Sandbox maintenance"),
  Command.withSubcommands([gcCommand])
)
