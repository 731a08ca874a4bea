import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { AuditReport } from "../../src/domain/validation.ts"
import { runCli } from "../support/cli.ts"
import { ARTIFACTS_DIR } from "../support/corpus.ts"

const artifact = (name: string) => join(ARTIFACTS_DIR, "js-fixture", name)

describe("ssr audit (CLI)", () => {
  it("exit 0 and a summary line per check when every artifact is valid; --json writes a schema-valid report", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ssr-cli-")), "report.json")
    const r = await runCli(["audit", artifact("valid-removal"), "--repo", "js-fixture", "--json", out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^VALID /m)
    for (const name of ["test-files", "parser-valid", "script-valid", "bug-scope", "bug-real", "weakening-hides", "inverse-mutation"]) {
      expect(r.stdout).toMatch(new RegExp(`^  \\d ${name} +ok `, "m"))
    }
    const report = AuditReport.parse(JSON.parse(readFileSync(out, "utf8")))
    expect(report.valid).toBe(true)
    expect(report.reports[0]!.checks).toHaveLength(7)
    expect(report.reports[0]!.failingTests.length).toBeGreaterThan(0)
    expect(report.reports[0]!.inverseMutation.every((c) => c.contributes)).toBe(true)
  })

  it("exit 1 when any artifact is invalid, naming the failed check", async () => {
    const r = await runCli(["audit", artifact("valid-removal"), artifact("bug-scope-edits-listed-test"), "--repo", "js-fixture"])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/^INVALID .*bug-scope-edits-listed-test/m)
    expect(r.stdout).toMatch(/4 bug-scope +FAILED/)
    expect(r.stdout).toContain("1 of 2 artifact(s) valid")
  })

  it("exit 2 with a clear message on bad usage", async () => {
    const noProfile = await runCli(["audit", artifact("valid-removal"), "--repo", "no-such-profile"])
    expect(noProfile.code).toBe(2)
    expect(noProfile.stderr).toContain("repository profile not found: no-such-profile")
    const noDir = await runCli(["audit", "/nonexistent/artifact", "--repo", "js-fixture"])
    expect(noDir.code).toBe(2)
    expect(noDir.stderr).toContain("not a readable artifact directory")
    const badFlag = await runCli(["audit", artifact("valid-removal"), "--repo", "js-fixture", "--concurrency", "0"])
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toContain("--concurrency must be a positive integer")
    const unknown = await runCli(["audit", "--frobnicate"])
    expect(unknown.code).toBe(2)
  })
})
