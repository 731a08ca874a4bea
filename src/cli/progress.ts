import cliProgress from "cli-progress"
import { Effect } from "effect"
import type { PlayEvent } from "../play/context.ts"

export interface Progress {
  readonly onEvent: (event: PlayEvent) => Effect.Effect<void>
  readonly stop: Effect.Effect<void>
}

/**
 * Run progress on stderr: a live bar (rounds, valid bugs, mean solve rate, solver attempts, ETA) on a terminal,
 * one line per finished round otherwise (CI logs).
 */
export const makeProgress = (totalRounds: number, alreadyDone: number): Progress => {
  let done = alreadyDone
  let valid = 0
  let attempts = 0
  const solveRates: Array<number> = []
  const payload = () => ({
    valid,
    solve: solveRates.length === 0 ? "–" : (solveRates.reduce((a, b) => a + b, 0) / solveRates.length).toFixed(2),
    attempts
  })
  const tty = process.stderr.isTTY === true
  const bar = tty
    ? new cliProgress.SingleBar({
      stream: process.stderr,
      format: "rounds {value}/{total} |{bar}| valid {valid} | mean solve rate {solve} | attempts {attempts} | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 5
    }, cliProgress.Presets.shades_classic)
    : undefined
  bar?.start(totalRounds, done, payload())

  const onEvent = (event: PlayEvent) =>
    Effect.sync(() => {
      switch (event.kind) {
        case "round-start":
          if (!tty) process.stderr.write(`[round ${event.round + 1}/${totalRounds}] ${event.repo}: ${event.strategy} injection…\n`)
          break
        case "attempt":
          attempts++
          bar?.update(payload())
          break
        case "round-done": {
          done++
          if (event.valid) valid++
          if (event.solveRate !== null) solveRates.push(event.solveRate)
          bar?.update(done, payload())
          if (!tty) {
            const outcome = event.valid
              ? `valid, s = ${event.solveRate?.toFixed(2) ?? "–"}, injector reward ${event.reward?.toFixed(3) ?? "–"}`
              : `invalid (${event.reason}), injector reward ${event.reward ?? -1}`
            process.stderr.write(`[round ${event.round + 1}/${totalRounds}] ${outcome}\n`)
          }
          break
        }
        default:
          break
      }
    })

  return { onEvent, stop: Effect.sync(() => bar?.stop()) }
}
