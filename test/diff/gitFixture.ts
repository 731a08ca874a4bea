import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

/** A file's content; `executable` sets mode 100755. */
export type FileSpec = string | Buffer | { readonly content: string | Buffer; readonly executable: true }
export type Tree = Readonly<Record<string, FileSpec>>

/** Isolates git from the user's and system's configuration (diff.noprefix, autocrlf, signing, …). */
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  LC_ALL: "C"
}

const GIT_IDENTITY = ["-c", "user.name=SSR Test", "-c", "user.email=ssr@example.invalid", "-c", "commit.gpgsign=false"]

export const git = (dir: string, args: ReadonlyArray<string>, input?: string): string =>
  execFileSync("git", [...GIT_IDENTITY, ...args], {
    cwd: dir,
    env: GIT_ENV,
    encoding: "utf8",
    input: input ?? "",
    stdio: ["pipe", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024
  })

/** Runs git and reports failure as a value (with stderr) instead of throwing. */
export const tryGit = (dir: string, args: ReadonlyArray<string>, input?: string): { ok: boolean; output: string } => {
  try {
    return { ok: true, output: git(dir, args, input) }
  } catch (error) {
    const failed = error as { stderr?: string; message: string }
    return { ok: false, output: failed.stderr ?? failed.message }
  }
}

const writeTree = (dir: string, tree: Tree) => {
  for (const [path, spec] of Object.entries(tree)) {
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    const content = typeof spec === "string" || Buffer.isBuffer(spec) ? spec : spec.content
    writeFileSync(file, content)
    chmodSync(file, typeof spec === "object" && !Buffer.isBuffer(spec) ? 0o755 : 0o644)
  }
}

/** Temporary directories made by this module; remove them with removeTempDirs in afterAll. */
const tempDirs: Array<string> = []

export const removeTempDirs = () => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export interface ChangeRepo {
  readonly dir: string
  readonly base: string
  readonly changed: string
  /** `git diff <args> base changed`. */
  readonly diff: (...args: Array<string>) => string
  /** `git diff <args> changed base`, i.e. what `git diff -R` prints. */
  readonly diffReversed: (...args: Array<string>) => string
  readonly treeOf: (rev: string) => string
  /** Checks out `rev` into a clean work tree. */
  readonly checkout: (rev: string) => void
  /** `git apply --check` of `patch` on a clean checkout of `rev`. */
  readonly applies: (rev: string, patch: string, ...args: Array<string>) => { ok: boolean; output: string }
  /** Applies `patch` on a clean checkout of `rev` and returns the resulting tree's id (modes included). */
  readonly treeAfter: (rev: string, patch: string) => string
}

/** A repository with two commits: `before` (base) and `after` (changed; files absent from `after` are deleted). */
export const makeChangeRepo = (before: Tree, after: Tree): ChangeRepo => {
  const dir = mkdtempSync(join(tmpdir(), "ssr-diff-"))
  tempDirs.push(dir)
  git(dir, ["init", "-q", "-b", "main"])
  writeTree(dir, before)
  git(dir, ["add", "-A"])
  git(dir, ["commit", "-q", "--allow-empty", "-m", "base"])
  const base = git(dir, ["rev-parse", "HEAD"]).trim()
  git(dir, ["rm", "-rq", "--ignore-unmatch", "."])
  writeTree(dir, after)
  git(dir, ["add", "-A"])
  git(dir, ["commit", "-q", "--allow-empty", "-m", "changed"])
  const changed = git(dir, ["rev-parse", "HEAD"]).trim()

  const checkout = (rev: string) => {
    git(dir, ["checkout", "-q", "-f", "--detach", rev])
    git(dir, ["clean", "-fdxq"])
  }
  return {
    dir,
    base,
    changed,
    diff: (...args) => git(dir, ["diff", ...args, base, changed]),
    diffReversed: (...args) => git(dir, ["diff", ...args, changed, base]),
    treeOf: (rev) => git(dir, ["rev-parse", `${rev}^{tree}`]).trim(),
    checkout,
    applies: (rev, patch, ...args) => {
      checkout(rev)
      return tryGit(dir, ["apply", "--check", ...args, "-"], patch)
    },
    treeAfter: (rev, patch) => {
      checkout(rev)
      git(dir, ["apply", "-"], patch)
      git(dir, ["add", "-A"])
      return git(dir, ["write-tree"]).trim()
    }
  }
}
