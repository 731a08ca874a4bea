import { execFile, spawn, type ChildProcess } from "node:child_process"
import { join } from "node:path"
import { PROJECT_ROOT } from "./corpus.ts"

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real CLI entry point in a child process (Node 22), as a user would. */
export const runCli = (args: ReadonlyArray<string>, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, "src/main.ts"), ...args], {
      cwd: PROJECT_ROOT,
      timeout: options.timeoutMs ?? 1_800_000,
      env: options.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 99
      resolve({ code, stdout, stderr })
    })
  })

/** Starts the CLI without waiting (to kill it mid-run). */
export const startCli = (args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, [join(PROJECT_ROOT, "src/main.ts"), ...args], { cwd: PROJECT_ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] })
