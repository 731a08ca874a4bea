import { createHash } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { PrepareError } from "../domain/errors.ts"
import { hostGit } from "../git/hostGit.ts"
import { runProcess } from "../process/runProcess.ts"
import { networkEnv } from "../sandbox/environment.ts"
import { type LoadedProfile, profileRelative } from "./profiles.ts"

const FULL_SHA = /^[0-9a-f]{40}$/

const prepareError = (repo: string, what: string) => (cause: unknown) =>
  new PrepareError({
    message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
    repo
  })

const patchFiles = (dir: string) =>
  Effect.tryPromise({
    try: async () => (await fs.readdir(dir)).filter((f) => f.endsWith(".patch")).sort().map((f) => join(dir, f)),
    catch: (cause) => cause
  })

/**
 * A string that changes whenever the source's content can change: a commit id, an immutable registry
 * version, or a hash of fixture patches. Never a branch name.
 */
export const sourceIdentity = (loaded: LoadedProfile): Effect.Effect<string, PrepareError> => {
  const { profile } = loaded
  const source = profile.source
  const fail = prepareError(profile.name, "cannot identify source")
  switch (source.kind) {
    case "local":
      return hostGit(profileRelative(loaded, source.path), ["rev-parse", "--verify", `${source.rev}^{commit}`]).pipe(
        Effect.map((sha) => `local:${sha.trim()}`),
        Effect.mapError(fail)
      )
    case "git":
      if (FULL_SHA.test(source.rev)) return Effect.succeed(`git:${source.url}@${source.rev}`)
      return hostGit(process.cwd(), ["ls-remote", source.url, source.rev]).pipe(
        Effect.flatMap((out) => {
          const sha = out.split("\n")[0]?.split("\t")[0]
          return sha !== undefined && FULL_SHA.test(sha)
            ? Effect.succeed(`git:${source.url}@${sha}`)
            : Effect.fail(new Error(`rev ${source.rev} not found at ${source.url}`))
        }),
        Effect.mapError(fail)
      )
    case "npm":
      return Effect.succeed(`npm:${source.package}@${source.version}`)
    case "patches":
      return patchFiles(profileRelative(loaded, source.dir)).pipe(
        Effect.flatMap((files) =>
          files.length === 0
            ? Effect.fail(new Error(`no .patch files in ${source.dir}`))
            : Effect.promise(async () => {
              const hash = createHash("sha256")
              for (const file of files) hash.update(file.split("/").pop()!).update(await fs.readFile(file))
              return `patches:${hash.digest("hex")}`
            })
        ),
        Effect.mapError(fail)
      )
  }
}

const npmPack = (name: string, spec: string, into: string, cacheDir: string) =>
  runProcess({
    argv: ["npm", "pack", spec, "--pack-destination", into, "--cache", cacheDir, "--silent", "--json"],
    cwd: into,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: into, ...networkEnv() },
    timeoutMs: 300_000,
    maxOutputBytes: 1024 * 1024
  }).pipe(
    Effect.mapError(prepareError(name, "npm pack")),
    Effect.flatMap((r) => {
      if (r.exitCode !== 0) {
        return Effect.fail(new PrepareError({ message: `npm pack ${spec} failed (exit ${r.exitCode})`, repo: name, output: r.stderr.slice(-4000) }))
      }
      const parsed = JSON.parse(r.stdout) as Array<{ filename: string }>
      return Effect.succeed(join(into, parsed[0]!.filename.replace(/^@/, "").replace(/\//g, "-")))
    })
  )

/**
 * Creates a git work tree at `target` whose HEAD is the original commit. Histories are kept where the source
 * has one (history-aware injection reads it); registry tarballs become a single commit.
 */
export const materializeSource = (
  loaded: LoadedProfile,
  identity: string,
  target: string,
  cacheDir: string
): Effect.Effect<void, PrepareError> => {
  const { profile } = loaded
  const source = profile.source
  const fail = prepareError(profile.name, `cannot fetch ${source.kind} source`)
  const git = (args: ReadonlyArray<string>, cwd = target) => hostGit(cwd, args).pipe(Effect.mapError(fail))
  const sha = identity.split("@").pop()!.replace(/^local:/, "")
  switch (source.kind) {
    case "local":
      return Effect.gen(function*() {
        yield* git(["clone", "--quiet", "--no-hardlinks", profileRelative(loaded, source.path), target], process.cwd())
        yield* git(["checkout", "--quiet", "--detach", identity.slice("local:".length)])
      })
    case "git":
      return Effect.gen(function*() {
        yield* git(["clone", "--quiet", source.url, target], process.cwd())
        yield* git(["checkout", "--quiet", "--detach", sha])
      })
    case "npm":
      return Effect.gen(function*() {
        const scratch = `${target}.pack`
        yield* Effect.promise(() => fs.mkdir(scratch, { recursive: true }))
        const tarball = yield* npmPack(profile.name, `${source.package}@${source.version}`, scratch, cacheDir)
        yield* Effect.promise(() => fs.mkdir(target, { recursive: true }))
        const untar = yield* runProcess({
          argv: ["tar", "-xzf", tarball, "-C", target, "--strip-components=1", "--no-same-owner"],
          cwd: target,
          env: { PATH: "/usr/bin:/bin" },
          timeoutMs: 120_000,
          maxOutputBytes: 64 * 1024
        }).pipe(Effect.mapError(fail))
        if (untar.exitCode !== 0) return yield* fail(new Error(`tar failed: ${untar.stderr}`))
        yield* Effect.promise(() => fs.rm(scratch, { recursive: true, force: true }))
        yield* git(["init", "--quiet"])
        yield* git(["add", "--all", "--force", "."])
        yield* git(["commit", "--quiet", "--no-verify", "-m", `${source.package}@${source.version} from the npm registry`, "--date=2000-01-01T00:00:00Z"])
      })
    case "patches":
      return Effect.gen(function*() {
        const files = yield* patchFiles(profileRelative(loaded, source.dir)).pipe(Effect.mapError(fail))
        yield* Effect.promise(() => fs.mkdir(target, { recursive: true }))
        yield* git(["init", "--quiet"])
        yield* git(["am", "--quiet", "--committer-date-is-author-date", ...files])
      })
  }
}
