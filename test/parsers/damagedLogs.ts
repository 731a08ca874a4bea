import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { BUILTIN_PARSERS, type BuiltinParserName } from "../../src/domain/profile.ts"
import { builtinParserUrl } from "../../src/parsers/index.ts"
import { logFixtures, PYTHON } from "./logFixtures.ts"

/**
 * Deterministically damaged variants of every captured log (cut at many points, lines dropped, noise lines
 * injected, CRLF line ends). No expectation is written for them: the parity test only demands that both twins agree.
 */

const NOISE_LINES = [
  "{",
  "}",
  '<testsuite name="noise">',
  "</testsuites>",
  "ok 1 - noise",
  "    ok 3 - deep noise",
  "  ---",
  "# Subtest: noise",
  "PASSED tests/noise.py::test_noise",
  "test_noise (noise.Noise.test_noise) ... ",
  "ok",
  '"'
]

/** Park–Miller generator: the same damage on every run. */
const generator = (seed: number): (() => number) => {
  let state = seed
  return () => {
    state = (state * 48271) % 2147483647
    return state / 2147483647
  }
}

export const damagedLogs = (): Array<string> => {
  const random = generator(20260101)
  const logs = BUILTIN_PARSERS.flatMap((parser) => logFixtures(parser).map((fixture) => fixture.output))
  const damaged: Array<string> = []
  for (const log of logs) {
    for (let cut = 1; cut < 12; cut++) damaged.push(log.slice(0, Math.floor((log.length * cut) / 12)))
    for (let variant = 0; variant < 4; variant++) {
      const kept = log.split("\n").filter(() => random() > 0.15)
      for (let n = 0; n < 3; n++) {
        kept.splice(Math.floor(random() * kept.length), 0, NOISE_LINES[Math.floor(random() * NOISE_LINES.length)]!)
      }
      damaged.push(kept.join(variant % 2 === 0 ? "\n" : "\r\n"))
    }
  }
  return damaged
}

const BATCH_HARNESS = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("parser_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps([module.parse(text) for text in json.load(sys.stdin)]))
`

/** Runs the Python parser's `parse` on many outputs in one process (the command-line path is tested elsewhere). */
export const parseManyInPython = (parser: BuiltinParserName, outputs: ReadonlyArray<string>): Array<unknown> =>
  JSON.parse(
    execFileSync(PYTHON, ["-c", BATCH_HARNESS, fileURLToPath(builtinParserUrl(parser))], {
      input: JSON.stringify(outputs),
      timeout: 60_000,
      maxBuffer: 256 * 1024 * 1024
    }).toString("utf8")
  ) as Array<unknown>
