import { promises as fs } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { BugBank } from "../bank/BugBank.ts"
import { HostIoError, UsageError } from "../domain/errors.ts"
import { Environments } from "../env/Environments.ts"
import type { PreparedEnv } from "../env/PreparedEnv.ts"
import { loadProfile } from "../env/profiles.ts"
import { ExperienceSink } from "../experience/ExperienceSink.ts"
import { DEFAULT_RUN_LIMITS } from "../execution/testRun.ts"
import { loadGame } from "../play/games.ts"
import { newRunId } from "../play/ids.ts"
import { playRun } from "../play/run.ts"
import { RunConfig } from "../play/runConfig.ts"
import { renderSummary } from "../play/summary.ts"
import { withBank, withPlayLayers } from "../composition.ts"
import { cacheFlag, sandboxFlag } from "./options.ts"
import { makeProgress } from "./progress.ts"

const writeJson = (file: string, value: unknown) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(dirname(file), { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      await fs.writeFile(tmp, JSON.stringify(value, null, 2) + "\n")
      await fs.rename(tmp, file)
    },
    catch: (cause) => new HostIoError({ message: `cannot write ${file}`, operation: "write json", cause })
  })

const flags = {
  repo: Flag.String("repo").pipe(Flag.withDescription("Repository profile (path or name in repos/); repeatable, played round-robin"), Flag.atLeast(0)),
  game: Flag.String("game").pipe(Flag.withDescription("Game configuration (path or name in games/)"), Flag.withDefault("ssr")),
  policy: Flag.Literals("policy", ["procedural", "openai", "anthropic"]).pipe(Flag.withDefault("procedural")),
  rounds: Flag.Int("rounds").pipe(Flag.withDescription("Rounds to play (with --resume: extend the run to this many)"), Flag.optional),
  sandbox: sandboxFlag,
  out: Flag.String("out").pipe(Flag.withDescription("Run directory: bug bank, bugs, trajectories, experience"), Flag.withDefault("ssr-out")),
  resume: Flag.Boolean("resume").pipe(Flag.withDescription("Continue the latest run in --out"), Flag.withDefault(false)),
  seed: Flag.Int("seed").pipe(Flag.withDefault(1)),
  baseUrl: Flag.String("base-url").pipe(Flag.withDescription("OpenAI-compatible API root (vLLM/SGLang), or an Anthropic base URL"), Flag.optional),
  model: Flag.String("model").pipe(Flag.optional),
  experienceUrl: Flag.String("experience-url").pipe(Flag.withDescription("Policy service: POST experience here (default: JSONL in --out)"), Flag.optional),
  policyServiceUrl: Flag.String("policy-service-url").pipe(Flag.withDescription("Policy service for the current policy version (default: --experience-url)"), Flag.optional),
  noCache: cacheFlag
}

type PlayFlags = { readonly [K in keyof typeof flags]: (typeof flags)[K] extends Flag.Flag<infer A> ? A : never }

const opt = (o: Option.Option<string>) => Option.getOrUndefined(o)

/** A new run's configuration from the flags, checked before anything expensive starts. */
const newRunConfig = (f: PlayFlags) =>
  Effect.gen(function*() {
    if (f.repo.length === 0) return yield* new UsageError({ message: "give at least one --repo (or --resume to continue a run)" })
    const rounds = Option.getOrElse(f.rounds, () => 10)
    if (rounds < 1) return yield* new UsageError({ message: `--rounds must be at least 1 (got ${rounds})` })
    if (f.policy !== "procedural" && Option.isNone(f.model)) return yield* new UsageError({ message: `--policy ${f.policy} needs --model` })
    if (f.policy === "openai" && Option.isNone(f.baseUrl)) return yield* new UsageError({ message: "--policy openai needs --base-url (the server's /v1 root)" })
    const profiles = yield* Effect.forEach(f.repo, loadProfile)
    const policy = {
      kind: f.policy,
      ...(Option.isSome(f.baseUrl) ? { baseUrl: f.baseUrl.value } : {}),
      ...(Option.isSome(f.model) ? { model: f.model.value } : {}),
      ...(opt(f.experienceUrl) === undefined ? {} : { experienceUrl: opt(f.experienceUrl)! }),
      ...(opt(f.policyServiceUrl) === undefined ? {} : { policyServiceUrl: opt(f.policyServiceUrl)! })
    }
    return RunConfig.parse({
      schemaVersion: 1, repos: profiles.map((p) => p.file), game: yield* loadGame(f.game), policy, rounds,
      seed: f.seed, sandbox: f.sandbox, noCache: f.noCache
    })
  })

/** The run to continue: the latest one recorded in the bank of --out. */
const resumedRun = (f: PlayFlags) =>
  Effect.gen(function*() {
    const run = yield* (yield* BugBank).latestRun
    if (run === undefined) return yield* new UsageError({ message: `nothing to resume: no run recorded in ${resolve(f.out)}` })
    const config = RunConfig.parse(JSON.parse(run.config))
    const rounds = Option.getOrElse(f.rounds, () => config.rounds)
    return { runId: run.id, config: { ...config, rounds: Math.max(rounds, config.rounds) } }
  })

export const playCommand = Command.make("play", flags, (f) =>
  Effect.gen(function*() {
    const outDir = resolve(f.out)
    const { runId, config } = yield* withBank(outDir)(
      f.resume
        ? resumedRun(f)
        : newRunConfig(f).pipe(Effect.map((config) => ({ runId: newRunId(new Date()), config })))
    )
    yield* Console.error(`${f.resume ? "resuming" : "starting"} ${runId} in ${outDir}: ${config.rounds} round(s), game ${config.game.name}, policy ${config.policy.kind}, sandbox ${config.sandbox}`)
    const body = Effect.gen(function*() {
      const bank = yield* BugBank
      yield* bank.putRun({ id: runId, config: JSON.stringify(config), createdAt: new Date().toISOString() })
      const envs = new Map<string, PreparedEnv>()
      for (const file of config.repos) {
        const loaded = yield* loadProfile(file)
        yield* Console.error(`preparing ${loaded.profile.name} …`)
        envs.set(loaded.profile.name, yield* (yield* Environments).prepare(loaded))
      }
      const done = (yield* bank.rounds(runId)).filter((r) => r.status === "done").length
      const progress = makeProgress(config.rounds, done)
      const ctx = {
        runId, outDir, game: config.game, envs, writeJson, onEvent: progress.onEvent,
        limits: { ...DEFAULT_RUN_LIMITS, scriptTimeoutMs: config.game.budgets.scriptTimeoutSeconds * 1000 }
      }
      const repos = [...envs.keys()]
      const summary = yield* playRun(ctx, { runId, repos, rounds: config.rounds, seed: config.seed }).pipe(Effect.ensuring(progress.stop))
      yield* (yield* ExperienceSink).flush
      yield* writeJson(join(outDir, "runs", `${runId}.summary.json`), summary)
      yield* Console.log(`\n${runId}: ${renderSummary(summary)}\nbank: ${join(outDir, "bank.sqlite")}`)
    })
    yield* body.pipe(withPlayLayers(config, outDir))
  })
).pipe(Command.withDescription("Play self-play rounds: inject → validate → G solves → rewards → higher-order bugs"))

