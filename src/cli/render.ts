import type { ValidationReport } from "../domain/validation.ts"

const STATUS_LABEL = { passed: "ok", failed: "FAILED", skipped: "skipped" } as const

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

/** A short human summary of one validation report: a header line and one line per check. */
export const renderValidation = (report: ValidationReport): string => {
  const mark = report.valid ? "VALID  " : "INVALID"
  const runs = report.runs.length
  const cached = report.runs.filter((r) => r.cached).length
  const header = `${mark} ${report.artifact.path}  [${report.repo.name}@${report.repo.rev.slice(0, 8)}, ${report.isolation.tool}, ` +
    `${runs} run(s)${cached > 0 ? ` (${cached} cached)` : ""}, ${seconds(report.timings.totalMs)}]`
  const lines = report.checks.map((c) =>
    `  ${c.index} ${c.name.padEnd(17)} ${STATUS_LABEL[c.status].padEnd(8)} ${c.reason}`
  )
  if (report.artifact.missingFiles.length > 0) lines.push(`  missing files: ${report.artifact.missingFiles.join(", ")}`)
  return [header, ...lines].join("\n")
}

export const renderAuditFooter = (reports: ReadonlyArray<ValidationReport>): string => {
  const valid = reports.filter((r) => r.valid).length
  return `${valid} of ${reports.length} artifact(s) valid`
}
