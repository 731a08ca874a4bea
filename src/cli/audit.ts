import { promises as fs } from "node:fs"
import { resolve } from "node:path"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readArtifactDir } from "../artifacts/artifactDir.ts"
import { UsageError } from "../domain/errors.ts"
import { type AuditReport, Thresholds, type ValidationReport } from "../domain/validation.ts"
import { Environments } from "../env/Environments.ts"
import { loadProfile } from "../env/profiles.ts"
import { DEFAULT_RUN_LIMITS } from "../execution/testRun.ts"
import { validateArtifact } from "../phases/validate/index.ts"
import { requestExitCode } from "./exit.ts"
import { cacheFlag, sandboxFlag } from "./options.ts"
import { withEngineLayers } from "../composition.ts"
import { renderAuditFooter, renderValidation } from "./render.ts"

const positiveInt = (name: string, value: number) =>
  Number.isInteger(value) && value >= 1 ? Effect.succeed(value) : Effect.fail(new UsageError({ message: `--${name} must be a positive integer (got ${value})` }))

export const auditCommand = Command.make("audit", {
  artifacts: Argument.String("artifact-dir").pipe(Argument.withDescription("Bug artifact directories"), Argument.atLeast(1)),
  repo: Flag.String("repo").pipe(Flag.withDescription("Repository profile: a path to a JSON file or a name in repos/")),
  concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("Sandboxes running at once"), Flag.withDefault(2)),
  json: Flag.String("json").pipe(Flag.withDescription("Write the full JSON report to this file"), Flag.optional),
  timeout: Flag.Int("timeout").pipe(Flag.withDescription("Seconds allowed for one run of test_script.sh"), Flag.withDefault(300)),
  minPassingTests: Flag.Int("min-passing-tests").pipe(Flag.withDefault(5)),
  minChangedFiles: Flag.Int("min-changed-files").pipe(Flag.withDefault(1)),
  minFailingTests: Flag.Int("min-failing-tests").pipe(Flag.withDefault(1)),
  ignoreTest: Flag.String("ignore-test").pipe(Flag.withDescription("Exclude a test id (`*` wildcards) from every check; repeatable"), Flag.atLeast(0)),
  sandbox: sandboxFlag,
  noCache: cacheFlag
}, (flags) =>
  Effect.gen(function*() {
    const concurrency = yield* positiveInt("concurrency", flags.concurrency)
    const timeout = yield* positiveInt("timeout", flags.timeout)
    const thresholds = Thresholds.parse({
      minPassingTests: flags.minPassingTests,
      minChangedFiles: yield* positiveInt("min-changed-files", flags.minChangedFiles),
      minFailingTests: yield* positiveInt("min-failing-tests", flags.minFailingTests)
    })
    const loaded = yield* loadProfile(flags.repo)
    const dirs = flags.artifacts.map((a) => resolve(a))
    const artifacts = yield* Effect.forEach(dirs, (dir) => readArtifactDir(dir).pipe(Effect.map((read) => ({ dir, ...read }))))
    const prepareStarted = performance.now()
    yield* Console.error(`preparing ${loaded.profile.name} …`)
    const env = yield* (yield* Environments).prepare(loaded)
    const prepareMs = performance.now() - prepareStarted
    const reports: Array<ValidationReport> = []
    for (const [i, { dir, artifact }] of artifacts.entries()) {
      yield* Console.error(`[${i + 1}/${artifacts.length}] auditing ${dir}`)
      const report = yield* validateArtifact({
        artifact,
        artifactPath: dir,
        env,
        thresholds,
        limits: { ...DEFAULT_RUN_LIMITS, scriptTimeoutMs: timeout * 1000 },
        concurrency,
        ignoreTests: flags.ignoreTest
      })
      const withPrepare = { ...report, timings: { ...report.timings, prepareMs: i === 0 ? prepareMs : 0 } }
      reports.push(withPrepare)
      yield* Console.log(renderValidation(withPrepare))
    }
    yield* Console.log(renderAuditFooter(reports))
    if (Option.isSome(flags.json)) {
      const file = resolve(flags.json.value)
      const audit: AuditReport = { schemaVersion: 1, valid: reports.every((r) => r.valid), reports }
      yield* Effect.tryPromise({
        try: () => fs.writeFile(file, JSON.stringify(audit, null, 2) + "\n"),
        catch: () => new UsageError({ message: `cannot write --json file ${file}` })
      })
    }
    if (!reports.every((r) => r.valid)) yield* requestExitCode(1)
  }).pipe(withEngineLayers(flags))
).pipe(Command.withDescription("Judge bug artifacts against the consistency checks of GAME.md §3"))
