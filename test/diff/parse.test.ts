import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { diffHash, normaliseDiff, parseDiff, reverseDiff, splitByFile, type FilePatch } from "../../src/diff/index.ts"
import { makeChangeRepo, removeTempDirs, type ChangeRepo } from "./gitFixture.ts"
import { KITCHEN_SINK_AFTER, KITCHEN_SINK_BEFORE } from "./scenarios.ts"

let repo: ChangeRepo
let files: ReadonlyArray<FilePatch>
let diffText: string

beforeAll(() => {
  repo = makeChangeRepo(KITCHEN_SINK_BEFORE, KITCHEN_SINK_AFTER)
  diffText = repo.diff("-M")
  const parsed = parseDiff(diffText)
  if (!parsed.ok) throw new Error(parsed.reason)
  files = parsed.files
})

afterAll(removeTempDirs)

const file = (path: string): FilePatch => {
  const found = files.find((candidate) => candidate.path === path)
  if (found === undefined) throw new Error(`no file patch for ${path}; have ${files.map((f) => f.path).join(", ")}`)
  return found
}

const okFiles = (text: string): ReadonlyArray<FilePatch> => {
  const parsed = parseDiff(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return parsed.files
}

const reasonOf = (text: string): string => {
  const parsed = parseDiff(text)
  if (parsed.ok) throw new Error(`expected a problem, parsed ${parsed.files.length} file(s)`)
  return parsed.reason
}

describe("parseDiff on real git diffs", () => {
  it("finds one section per changed file, in git's order, whose texts rebuild the diff", () => {
    expect(files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort())
    expect(files).toHaveLength(16)
    expect(files.map((f) => f.text).join("")).toBe(diffText)
  })

  it("reads a modification with several hunks and function-name context", () => {
    expect(file("src/calc.js")).toMatchObject({
      oldPath: "src/calc.js",
      newPath: "src/calc.js",
      change: "modify",
      binary: false,
      hunks: 2,
      added: 1,
      removed: 2
    })
    expect(file("src/calc.js").text).toMatch(/^diff --git a\/src\/calc\.js b\/src\/calc\.js\n/)
  })

  it("reads additions and deletions with null on the missing side", () => {
    expect(file("src/new.js")).toMatchObject({ oldPath: null, newPath: "src/new.js", change: "add", added: 3 })
    expect(file("src/gone.js")).toMatchObject({ oldPath: "src/gone.js", newPath: null, change: "delete", removed: 4 })
  })

  it("reads renames with and without content changes (-M)", () => {
    expect(file("src/new-name.js")).toMatchObject({
      oldPath: "src/old-name.js",
      newPath: "src/new-name.js",
      change: "rename",
      hunks: 1,
      added: 1,
      removed: 1
    })
    expect(file("lib/moved.js")).toMatchObject({ oldPath: "src/moved.js", change: "rename", hunks: 0 })
    // Two empty files: git pairs the deleted one with the created one.
    expect(file("src/empty-new.txt")).toMatchObject({ oldPath: "src/empty-gone.txt", change: "rename", hunks: 0 })
  })

  it("reads a mode-only change as a hunkless modification", () => {
    expect(file("bin/run.sh")).toMatchObject({ change: "modify", hunks: 0, binary: false })
    expect(file("bin/run.sh").text).toContain("new mode 100755")
  })

  it("marks binary files, from `Binary files … differ` and from `GIT binary patch`", () => {
    expect(file("assets/logo.bin")).toMatchObject({ change: "modify", binary: true, hunks: 0 })
    expect(file("assets/new.bin")).toMatchObject({ oldPath: null, change: "add", binary: true })
    const withData = okFiles(repo.diff("-M", "--binary"))
    const logo = withData.find((f) => f.path === "assets/logo.bin")
    expect(logo?.binary).toBe(true)
    expect(logo?.text).toContain("GIT binary patch")
    expect(withData.map((f) => f.path)).toEqual(files.map((f) => f.path))
  })

  it("handles names with spaces, non-ASCII (quoted) names and names with quotes", () => {
    expect(file("src/my module.js")).toMatchObject({ change: "modify", added: 1, removed: 1 })
    expect(file("src/my module.js").text).toContain("--- a/src/my module.js\t\n")
    expect(file("docs/ünïcode.md").text).toContain('"a/docs/\\303\\274n\\303\\257code.md"')
    expect(file('src/quote"d.txt')).toMatchObject({ oldPath: 'src/quote"d.txt', change: "modify" })
  })

  it("keeps CRLF content and `\\ No newline at end of file` markers byte for byte", () => {
    expect(file("src/crlf.txt").text).toContain("-second\r\n+SECOND\r\n")
    expect(file("src/no-eol.txt")).toMatchObject({ added: 1, removed: 1 })
    const marker = "\\ No newline at end of file\n"
    expect(file("src/no-eol.txt").text).toContain(`-beta\n${marker}+BETA\n${marker}`)
    expect(file("src/gains-eol.txt")).toMatchObject({ added: 1, removed: 1 })
  })

  it("reads hunkless additions and deletions of empty files", () => {
    const empties = makeChangeRepo({ "gone.txt": "", "keep.txt": "k\n" }, { "new.txt": "", "keep.txt": "k\n" })
    const parsed = okFiles(empties.diff("--no-renames"))
    const counts = { binary: false, hunks: 0, added: 0, removed: 0 }
    expect(parsed.map(({ text: _text, ...rest }) => rest)).toEqual([
      { oldPath: "gone.txt", newPath: null, path: "gone.txt", change: "delete", ...counts },
      { oldPath: null, newPath: "new.txt", path: "new.txt", change: "add", ...counts }
    ])
  })

  it("accepts traditional unified diffs and a/ b/ prefixes other than a/ and b/", () => {
    const plain = "--- a/src/x.js\t2024-01-01\n+++ b/src/x.js\t2024-01-02\n@@ -1 +1 @@\n-x\n+y\n"
    expect(okFiles(plain)).toMatchObject([{ oldPath: "src/x.js", newPath: "src/x.js", change: "modify", hunks: 1 }])
    const prefixed = okFiles(repo.diff("-M", "--src-prefix=old/", "--dst-prefix=new/"))
    expect(prefixed.map((f) => [f.oldPath, f.newPath])).toEqual(files.map((f) => [f.oldPath, f.newPath]))
  })
})

describe("parseDiff on surrounding text", () => {
  it("treats empty and whitespace-only text as a diff with no files", () => {
    expect(parseDiff("")).toEqual({ ok: true, files: [] })
    expect(parseDiff("\n  \n")).toEqual({ ok: true, files: [] })
  })

  it("ignores prose before the first diff and a trailing code fence, keeping sections exact", () => {
    const section = file("src/calc.js").text
    const wrapped = `Here is the patch you asked for.\n\n\`\`\`diff\n${section}\`\`\`\n\nThanks!\n`
    expect(okFiles(wrapped)).toEqual([file("src/calc.js")])
  })

  it("ignores a format-patch e-mail around the diff", () => {
    const section = file("src/calc.js").text
    const head = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\n src/calc.js | 3 +--\n\n"
    const mail = `${head}${section}-- \n2.39.5\n\n`
    expect(okFiles(mail).map((f) => f.text)).toEqual([section])
  })
})

describe("parseDiff on malformed input", () => {
  it("rejects prose and JSON with a reason saying it is not a diff", () => {
    expect(reasonOf("I fixed the bug by changing the comparison.\nIt should work now.\n")).toMatch(/not a diff.*prose/)
    expect(reasonOf('{"patch": "none", "files": []}\n')).toMatch(/not a diff.*JSON/)
  })

  it("rejects a truncated hunk", () => {
    const section = file("src/calc.js").text
    const cut = section.slice(0, section.indexOf("-  return first + second"))
    expect(reasonOf(cut)).toMatch(/truncated/)
    const cutBeforeNext = cut + file("src/crlf.txt").text
    expect(reasonOf(cutBeforeNext)).toMatch(/truncated/)
  })

  it("rejects a hunk whose header counts do not match its body", () => {
    const section = file("src/no-eol.txt").text
    expect(reasonOf(section.replace("@@ -1,2 +1,2 @@", "@@ -1,2 +1,1 @@"))).toMatch(/more lines than its header/)
    expect(reasonOf(section.replace("@@ -1,2 +1,2 @@", "@@ -1,2 +1,3 @@"))).toMatch(/truncated/)
    expect(reasonOf(file("src/calc.js").text.replace("@@ -14,6 +14,5 @@", "@@ -14,5 +14,4 @@"))).toMatch(
      /more lines than its header declares/
    )
  })

  it("rejects orphan and half file headers", () => {
    expect(reasonOf("@@ -1 +1 @@\n-a\n+b\n")).toMatch(/without a file header/)
    expect(reasonOf("diff --git a/x b/x\n--- a/x\n@@ -1 +1 @@\n-a\n+b\n")).toMatch(/without a "\+\+\+" line/)
    expect(reasonOf("diff --git a/x b/x\n--- a/x\n+++ b/x\n")).toMatch(/without any hunk/)
  })

  it("rejects what git apply rejects: CRLF-converted diffs, a missing final newline, --no-prefix names", () => {
    expect(reasonOf(diffText.replaceAll("\n", "\r\n"))).toMatch(/CRLF/)
    expect(reasonOf(file("src/calc.js").text.slice(0, -1))).toMatch(/no newline/)
    expect(reasonOf("diff --git x.js x.js\n--- x.js\n+++ x.js\n@@ -1 +1 @@\n-a\n+b\n")).toMatch(/no-prefix/)
  })

  it("rejects a section that changes nothing", () => {
    expect(reasonOf("diff --git a/x b/x\nindex 1234567..89abcde 100644\n")).toMatch(/changes nothing/)
  })

  it("rejects two sections for the same file", () => {
    const section = file("src/calc.js").text
    expect(reasonOf(section + section)).toMatch(/two sections/)
  })

  it("never throws on arbitrary damage, in parsing or in any transformation", () => {
    const lines = repo.diff("-M", "--binary").split("\n")
    const damaged: Array<string> = []
    for (let at = 0; at < lines.length; at++) {
      damaged.push([...lines.slice(0, at), ...lines.slice(at + 1)].join("\n"))
      damaged.push([...lines.slice(0, at), lines[at]!, ...lines.slice(at)].join("\n"))
      damaged.push([...lines.slice(0, at), lines[at]!.slice(0, 5), ...lines.slice(at + 1)].join("\n"))
    }
    let accepted = 0
    for (const text of damaged) {
      expect(() => {
        if (parseDiff(text).ok) accepted++
        splitByFile(text)
        reverseDiff(text)
        normaliseDiff(text)
        diffHash(text)
      }, text).not.toThrow()
    }
    expect(accepted).toBeLessThan(damaged.length)
  })
})
