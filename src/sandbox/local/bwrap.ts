import { execFileSync } from "node:child_process"
import { existsSync, lstatSync, readlinkSync } from "node:fs"
import { dirname } from "node:path"

/**
 * Bubblewrap command lines for the Local backend. The sandbox root is an empty tmpfs with the host's system
 * directories mounted read-only, the repository and the engine's scratch directory bound read-write at fixed
 * paths, a private /tmp, no network (unless asked), its own PID namespace (killing bwrap kills everything
 * inside) and no view of the engine's own files, home or other sandboxes.
 */

export const SANDBOX_REPO_DIR = "/repo"
export const SANDBOX_WORK_DIR = "/ssr"
export const SANDBOX_HOME = "/tmp/home"
const SANDBOX_NODE_DIR = "/opt/ssr/node/bin"

const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"]

export interface Mount {
  readonly host: string
  readonly inside: string
  readonly writable: boolean
}

export interface BwrapSpec {
  readonly mounts: ReadonlyArray<Mount>
  readonly network: boolean
  readonly cwd: string
}

/** Directory of the Node binary the engine runs on (Node ≥ 22 from the npm registry); exposed inside. */
export const hostNodeBinDir = (): string => dirname(process.execPath)

const systemMountArgs = (): Array<string> => {
  const args: Array<string> = []
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue
    const stat = lstatSync(dir)
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir)
    else args.push("--ro-bind", dir, dir)
  }
  return args
}

export const bwrapArgv = (spec: BwrapSpec, argv: ReadonlyArray<string>): Array<string> => [
  "bwrap",
  "--unshare-all",
  ...(spec.network ? ["--share-net"] : []),
  "--die-with-parent",
  "--new-session",
  ...systemMountArgs(),
  "--ro-bind", hostNodeBinDir(), SANDBOX_NODE_DIR,
  "--dev", "/dev",
  "--proc", "/proc",
  "--tmpfs", "/tmp",
  "--dir", SANDBOX_HOME,
  ...spec.mounts.flatMap((m) => [m.writable ? "--bind" : "--ro-bind", m.host, m.inside]),
  "--chdir", spec.cwd,
  "--",
  ...argv
]

/** PATH inside a sandbox: the engine's Node first, then the system's tools. */
export const sandboxPath = (isolated: boolean): string =>
  [isolated ? SANDBOX_NODE_DIR : hostNodeBinDir(), "/usr/local/bin", "/usr/bin", "/bin"].join(":")

let probed: boolean | undefined
/** True when bubblewrap exists and can create namespaces on this machine (probed once). */
export const bwrapAvailable = (): boolean => {
  if (probed !== undefined) return probed
  if (process.env["SSR_LOCAL_ISOLATION"] === "none") return (probed = false)
  try {
    execFileSync("bwrap", ["--unshare-all", "--die-with-parent", ...systemMountArgs(), "--", "/bin/true"], {
      stdio: "ignore",
      timeout: 10_000
    })
    probed = true
  } catch {
    probed = false
  }
  return probed
}
