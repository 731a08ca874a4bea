import { resolve } from "node:path"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { BugBank, type BugRow } from "../bank/BugBank.ts"
import { UsageError } from "../domain/errors.ts"
import { withBank } from "../composition.ts"

const BANDS = ["too-hard", "in-band", "too-easy"] as const

const parseRange = (text: string) => {
  const m = /^(\d*\.?\d+)-(\d*\.?\d+)$/.exec(text)
  if (m === null) return undefined
  const [lo, hi] = [Number(m[1]), Number(m[2])]
  return lo <= hi && hi <= 1 ? ([lo, hi] as const) : undefined
}

const row = (b: BugRow) =>
  [
    b.id.padEnd(34),
    b.repo.padEnd(12),
    b.strategy.padEnd(12),
    String(b.order).padEnd(5),
    (b.valid === null ? "?" : b.valid ? (b.duplicateOf ? "dup" : "yes") : `no: ${b.firstFailedCheck ?? ""}`).padEnd(22),
    (b.solveRate === null ? "–" : `${b.successes}/${b.attempts}`).padEnd(6),
    b.band ?? "–"
  ].join(" ")

export const bugsCommand = Command.make("bugs", {
  out: Flag.String("out").pipe(Flag.withDescription("Run directory holding bank.sqlite"), Flag.withDefault("ssr-out")),
  repo: Flag.String("repo").pipe(Flag.optional),
  strategy: Flag.String("strategy").pipe(Flag.optional),
  order: Flag.Int("order").pipe(Flag.optional),
  band: Flag.Literals("band", BANDS).pipe(Flag.optional),
  solveRate: Flag.String("solve-rate").pipe(Flag.withDescription("Inclusive range, e.g. 0.1-0.5"), Flag.optional),
  valid: Flag.Boolean("valid").pipe(Flag.withDescription("Only valid bugs"), Flag.withDefault(false)),
  json: Flag.Boolean("json").pipe(Flag.withDescription("Print JSON lines instead of a table"), Flag.withDefault(false))
}, (f) =>
  Effect.gen(function*() {
    const range = Option.isSome(f.solveRate) ? parseRange(f.solveRate.value) : undefined
    if (Option.isSome(f.solveRate) && range === undefined) {
      return yield* new UsageError({ message: `--solve-rate takes a range like 0.1-0.5 within [0, 1] (got ${f.solveRate.value})` })
    }
    const bugs = yield* (yield* BugBank).queryBugs({
      repo: Option.getOrUndefined(f.repo),
      strategy: Option.getOrUndefined(f.strategy),
      order: Option.getOrUndefined(f.order),
      band: Option.getOrUndefined(f.band),
      valid: f.valid ? true : undefined,
      solveRate: range
    })
    if (f.json) {
      for (const b of bugs) yield* Console.log(JSON.stringify(b))
      return
    }
    yield* Console.log(["id".padEnd(34), "repo".padEnd(12), "strategy".padEnd(12), "order", "valid".padEnd(22), "solved", "band"].join(" "))
    for (const b of bugs) yield* Console.log(row(b))
    yield* Console.log(`${bugs.length} bug(s) in ${resolve(f.out, "bank.sqlite")}`)
  }).pipe(withBank(resolve(f.out)))
).pipe(Command.withDescription("List the bug bank, filtered by repo, strategy, order, band or solve rate"))
