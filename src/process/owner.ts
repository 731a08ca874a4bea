import { readFileSync } from "node:fs"

/** Start time (field 22 of /proc/<pid>/stat) of a process, or undefined where /proc is not readable. */
export const processStartTime = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return fields[19]
  } catch {
    return undefined
  }
}

/** Identifies this engine process as the owner of a resource, so gc can tell leftovers of crashed runs. */
export interface Owner {
  readonly pid: number
  /** Empty when unknown. */
  readonly start: string
}

export const currentOwner = (): Owner => ({ pid: process.pid, start: processStartTime(process.pid) ?? "" })

/** True when the owner still runs: same pid and, where known, same start time (pids get reused). */
export const ownerAlive = (owner: Owner): boolean => {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false
  try {
    process.kill(owner.pid, 0)
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  if (owner.start === "") return true
  const actual = processStartTime(owner.pid)
  return actual === undefined || actual === owner.start
}
