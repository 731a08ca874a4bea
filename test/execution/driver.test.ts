import { describe, expect, it } from "vitest"
import { parseDriverStatus } from "../../src/execution/driver.ts"

/** The driver's status channel as the real driver prints it (see runInState tests through the corpus). */
describe("parseDriverStatus", () => {
  it("a failed setup names the layer and carries git's message", () => {
    expect(parseDriverStatus("SSR-SETUP layer 000\nerror: patch failed: src/a.js:3\n")).toEqual({
      kind: "setup-failed", what: "layer 000", message: "error: patch failed: src/a.js:3\n"
    })
  })

  it("a complete run: script and parser exit codes, timings, parser stderr (base64) and stdout", () => {
    const stderr = `SSR-SETUP-DONE\nSSR-SCRIPT-END 1 734\nSSR-PARSER-END 0 41\n${Buffer.from("warning: x").toString("base64")}\n{"a": "passed"}\n`
    expect(parseDriverStatus(stderr)).toEqual({
      kind: "complete", scriptExit: 1, scriptMs: 734, parserExit: 0, parserMs: 41, parserStderr: "warning: x", parserStdout: "{\"a\": \"passed\"}\n"
    })
  })

  it("killed during the parser: only the script's end is known", () => {
    expect(parseDriverStatus("SSR-SETUP-DONE\nSSR-SCRIPT-END 0 12\n")).toEqual({ kind: "script-only", scriptExit: 0, scriptMs: 12 })
  })

  it("killed during setup or the script (timeout, output cap): interrupted", () => {
    expect(parseDriverStatus("")).toEqual({ kind: "interrupted" })
    expect(parseDriverStatus("SSR-SETUP-DONE\n")).toEqual({ kind: "interrupted" })
  })
})
