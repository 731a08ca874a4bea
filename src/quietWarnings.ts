/**
 * Imported first by the CLI entry: node:sqlite (the embedded bug bank) prints an ExperimentalWarning on every
 * start in Node 22; that one warning is noise for users. Every other warning still prints.
 */
const emit = process.emitWarning.bind(process)
process.emitWarning = ((warning: string | Error, ...rest: Array<unknown>) => {
  const text = typeof warning === "string" ? warning : warning.message
  if (text.includes("SQLite is an experimental feature")) return
  return (emit as (w: string | Error, ...r: Array<unknown>) => void)(warning, ...rest)
}) as typeof process.emitWarning
