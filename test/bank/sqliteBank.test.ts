import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { BugBank } from "../../src/bank/BugBank.ts"
import { SqliteBank } from "../../src/bank/sqliteBank.ts"
import { PROJECT_ROOT } from "../support/corpus.ts"
import { bugBankConformance } from "./conformance.ts"

bugBankConformance("sqlite", () => SqliteBank.layer(join(mkdtempSync(join(tmpdir(), "ssr-bank-")), "bank.sqlite")))

describe("SqliteBank durability", () => {
  it("a write that returned survives kill -9 of the writing process", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ssr-bank-kill-")), "bank.sqlite")
    const writer = `
      import { Effect } from "effect"
      import { BugBank } from "${PROJECT_ROOT}/src/bank/BugBank.ts"
      import { SqliteBank } from "${PROJECT_ROOT}/src/bank/sqliteBank.ts"
      import { sampleAttempt } from "${PROJECT_ROOT}/test/bank/conformance.ts"
      await Effect.runPromise(Effect.gen(function*() {
        const bank = yield* BugBank
        for (let i = 0; i < 5; i++) yield* bank.putAttempt(sampleAttempt("k1", i, i % 2 === 0))
        process.stdout.write("written\\n")
        yield* Effect.never
      }).pipe(Effect.provide(SqliteBank.layer(${JSON.stringify(file)}))))
    `
    const child = spawn(process.execPath, ["--input-type=module", "-e", writer], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] })
    await new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => d.toString().includes("written") && resolve()))
    child.kill("SIGKILL")
    await new Promise((resolve) => child.once("exit", resolve))
    const attempts = await Effect.runPromise(Effect.gen(function*() {
      return yield* (yield* BugBank).attempts("k1")
    }).pipe(Effect.provide(SqliteBank.layer(file))))
    expect(attempts.map((a) => a.index)).toEqual([0, 1, 2, 3, 4])
  })
})
