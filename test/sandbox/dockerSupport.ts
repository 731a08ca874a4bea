import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import Docker from "dockerode"
import { describe } from "vitest"
import type { PreparedEnv } from "../../src/env/PreparedEnv.ts"

/**
 * Docker tests run only when an engine answers. Without one they are skipped LOUDLY, except under CI (CI set),
 * where they run and fail: CI must have the engine (scripts/docker-setup.sh, scripts/build-base-image.sh).
 */
export const dockerAnswers: boolean = await new Docker().ping().then(() => true, () => false)

export const describeDocker = (name: string, body: () => void): void => {
  if (!dockerAnswers && (process.env["CI"] ?? "") === "") {
    console.warn(
      `\n*** SKIPPING Docker sandbox tests "${name}": no Docker engine answers. ` +
        `Run scripts/docker-setup.sh && scripts/build-base-image.sh to run them. ***\n`
    )
    describe.skip(name, body)
  } else {
    describe(name, body)
  }
}

const GIT = ["-c", "user.name=SSR Test", "-c", "user.email=ssr@example.invalid", "-c", "commit.gpgsign=false"]
const git = (dir: string, ...args: Array<string>) =>
  execFileSync("git", [...GIT, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null",
      // Fixed dates: the same tree gives the same commit, so the content-derived key names one image.
      GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z" }
  }).trim()

const tempDirs: Array<string> = []
export const removeTempDirs = (): void => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export const DEFAULT_TREE: Readonly<Record<string, string>> = {
  "package.json": JSON.stringify({ name: "fixture", version: "1.0.0", scripts: { test: "node test/run.js" } }),
  "src/add.js": "exports.add = (a, b) => a + b\n",
  "test/run.js": "const { add } = require('../src/add.js')\nconsole.log(add(1, 2) === 3 ? 'ok 1' : 'not ok 1')\n",
  "bin/tool.sh": "#!/bin/sh\necho tool ran\n",
  "node_modules/dep/index.js": "module.exports = 'dep'\n"
}

/**
 * A prepared repository on the host: a git work tree (node_modules untracked, as after an install), with an
 * executable file and a symlink. The key is a hash of the content (plus `salt`), so images are reused across
 * runs and a fresh salt forces a fresh build.
 */
export const makePreparedEnv = (tree: Readonly<Record<string, string>> = DEFAULT_TREE, salt = ""): PreparedEnv => {
  const dir = mkdtempSync(join(tmpdir(), "ssr-docker-test-"))
  tempDirs.push(dir)
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  if (tree["bin/tool.sh"] !== undefined) chmodSync(join(dir, "bin/tool.sh"), 0o755)
  symlinkSync("src/add.js", join(dir, "add-link.js"))
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n")
  git(dir, "init", "-q")
  git(dir, "add", ".")
  git(dir, "commit", "-qm", "original")
  const rev = git(dir, "rev-parse", "HEAD")
  const snapshotTar = `${dir}.tar`
  tempDirs.push(snapshotTar)
  execFileSync("tar", ["-C", dir, "--exclude=./node_modules", "-cf", snapshotTar, "."])
  const hash = createHash("sha256").update(JSON.stringify(tree)).update(salt).update(rev).digest("hex").slice(0, 16)
  return {
    key: `test-${hash}`,
    profile: {
      name: "docker-fixture",
      language: "javascript",
      source: { kind: "local", path: dir, rev: "HEAD" },
      install: { testDependencies: [], commands: [] },
      testFiles: ["test/**"],
      env: { FIXTURE_PROFILE_VAR: "from-profile" }
    },
    repoDir: dir,
    rev,
    sharedDirs: ["node_modules"],
    snapshotTar,
    trackedFiles: git(dir, "ls-files").split("\n")
  }
}

/** Containers (running or not) carrying the engine label and, if given, one more label. */
export const engineContainers = (label?: string): Promise<Array<Docker.ContainerInfo>> =>
  new Docker().listContainers({
    all: true,
    filters: { label: ["ssr.engine=1", ...(label === undefined ? [] : [label])] }
  })
