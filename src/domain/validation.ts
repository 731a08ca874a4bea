import * as z from "zod"
import { NamingVariant } from "./artifact.ts"

/** The consistency checks of GAME.md §3, in their order. */
export const CHECK_NAMES = [
  "test-files",
  "parser-valid",
  "script-valid",
  "bug-scope",
  "bug-real",
  "weakening-hides",
  "inverse-mutation"
] as const
export const CheckName = z.enum(CHECK_NAMES)
export type CheckName = z.infer<typeof CheckName>

export const CheckStatus = z.enum(["passed", "failed", "skipped"])
export type CheckStatus = z.infer<typeof CheckStatus>

export const CheckEvidence = z
  .object({
    tests: z.array(z.string()).optional().describe("Test ids behind the verdict"),
    files: z.array(z.string()).optional().describe("Files behind the verdict"),
    counts: z.record(z.string(), z.number()).optional(),
    excerpt: z.string().optional().describe("Output excerpt (script, parser or git)"),
    details: z.record(z.string(), z.unknown()).optional()
  })
  .meta({ id: "CheckEvidence" })
export type CheckEvidence = z.infer<typeof CheckEvidence>

export const CheckResult = z
  .object({
    index: z.int().min(1).max(7),
    name: CheckName,
    status: CheckStatus,
    reason: z.string(),
    evidence: CheckEvidence
  })
  .meta({ id: "CheckResult" })
export type CheckResult = z.infer<typeof CheckResult>

export const Thresholds = z
  .object({
    minPassingTests: z.int().min(0).default(5).describe("Check 3: the baseline must have MORE than this many tests"),
    minChangedFiles: z.int().min(1).default(1).describe("Check 4: code files the bug must change"),
    minFailingTests: z.int().min(1).default(1).describe("Check 5: tests that must go from passed to failed")
  })
  .meta({ id: "Thresholds" })
export type Thresholds = z.infer<typeof Thresholds>
export const DEFAULT_THRESHOLDS: Thresholds = Thresholds.parse({})

/** Which state a test run was made in. */
export const RunState = z.enum(["original", "bug", "bug+weaken", "bug-restore-file", "patched"])
export type RunState = z.infer<typeof RunState>

export const RunSummary = z
  .object({
    label: z.string().describe("baseline-1, baseline-2, bug-1, bug-2, weakened, inverse:<file>, ..."),
    state: RunState,
    ms: z.number().describe("Wall time of test script + parser"),
    exitCode: z.int().nullable(),
    timedOut: z.boolean(),
    outputBytes: z.int(),
    outputCapped: z.boolean(),
    parser: z.object({
      ok: z.boolean(),
      reason: z.string().optional(),
      passed: z.int(),
      failed: z.int()
    }),
    cached: z.boolean().default(false).describe("Served from the baseline cache")
  })
  .meta({ id: "RunSummary" })
export type RunSummary = z.infer<typeof RunSummary>

export const InverseContribution = z
  .object({
    file: z.string(),
    restoredToPass: z.array(z.string()).describe("Tests of F that pass again when only this file is restored"),
    contributes: z.boolean()
  })
  .meta({ id: "InverseContribution" })
export type InverseContribution = z.infer<typeof InverseContribution>

export const Isolation = z
  .object({
    backend: z.enum(["local", "docker"]),
    tool: z.string().describe("bwrap | none | docker"),
    network: z.enum(["none", "loopback-only", "host"]),
    filesystem: z.string().describe("What the sandboxed code can write"),
    processes: z.string().describe("How the process tree is contained and killed"),
    limits: z.record(z.string(), z.union([z.string(), z.number()])).default({})
  })
  .meta({ id: "Isolation" })
export type Isolation = z.infer<typeof Isolation>

export const ValidationReport = z
  .object({
    schemaVersion: z.literal(1),
    artifact: z.object({
      path: z.string(),
      naming: NamingVariant,
      missingFiles: z.array(z.string()),
      order: z.int().min(1)
    }),
    repo: z.object({ name: z.string(), rev: z.string(), envKey: z.string() }),
    isolation: Isolation,
    thresholds: Thresholds,
    valid: z.boolean(),
    firstFailedCheck: CheckName.nullable(),
    checks: z.array(CheckResult).length(7),
    failingTests: z.array(z.string()).describe("F: tests that passed on the original and fail with the bug"),
    baselineTests: z.array(z.string()).describe("Every test the first baseline run reported (a judged run must not miss any)"),
    inverseMutation: z.array(InverseContribution),
    runs: z.array(RunSummary),
    timings: z.object({
      totalMs: z.number(),
      prepareMs: z.number(),
      runsMs: z.number().describe("Summed wall time of all test runs"),
      concurrency: z.int().min(1)
    })
  })
  .meta({ id: "ValidationReport", title: "Validation report of one bug artifact (ssr audit --json)" })
export type ValidationReport = z.infer<typeof ValidationReport>

export const AuditReport = z
  .object({
    schemaVersion: z.literal(1),
    valid: z.boolean().describe("True when every artifact is valid"),
    reports: z.array(ValidationReport)
  })
  .meta({ id: "AuditReport", title: "Output of ssr audit --json" })
export type AuditReport = z.infer<typeof AuditReport>
