import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { diffHash, joinDiffs, normaliseDiff, parseDiff, reverseDiff, splitByFile, splitHunks } from "../../src/diff/index.ts"
import { makeChangeRepo, removeTempDirs, type ChangeRepo } from "./gitFixture.ts"
import { KITCHEN_SINK_AFTER, KITCHEN_SINK_BEFORE } from "./scenarios.ts"

let repo: ChangeRepo

beforeAll(() => {
  repo = makeChangeRepo(KITCHEN_SINK_BEFORE, KITCHEN_SINK_AFTER)
})

afterAll(removeTempDirs)

const okText = (result: { ok: true; text: string } | { ok: false; reason: string }): string => {
  if (!result.ok) throw new Error(result.reason)
  return result.text
}

const sectionsOf = (text: string): ReadonlyMap<string, string> => {
  const split = splitByFile(text)
  if (!split.ok) throw new Error(split.reason)
  return split.sections
}

const hashOf = (text: string): string => {
  const hashed = diffHash(text)
  if (!hashed.ok) throw new Error(hashed.reason)
  return hashed.hash
}

/** Differences between our output and git's that carry no meaning: function context, `,1` counts, name tabs. */
const withoutCosmetics = (section: string): string =>
  section
    .replace(/^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@.*$/gm, (_, a, b, c, d) => `@@ -${a}${b ?? ",1"} +${c}${d ?? ",1"} @@`)
    .replace(/^((?:---|\+\+\+) .*)\t$/gm, "$1")

describe("splitByFile and joinDiffs", () => {
  it("splits into sections that each apply alone, and joins them back to the original text", () => {
    for (const flags of [["-M", "--binary"], ["-M", "--full-index"]]) {
      const text = repo.diff(...flags)
      const sections = sectionsOf(text)
      expect(sections.size).toBe(16)
      for (const [path, section] of sections) {
        const applied = repo.applies(repo.base, section)
        expect(applied, `${path} with ${flags.join(" ")}`).toEqual({ ok: true, output: "" })
      }
      expect(joinDiffs(sections.values())).toBe(text)
    }
  })

  it("joins sections that lack a final newline and skips empty ones", () => {
    expect(joinDiffs(["diff --git a/x b/x\nold mode 100644\nnew mode 100755", "", "diff --git a/y b/y\n"])).toBe(
      "diff --git a/x b/x\nold mode 100644\nnew mode 100755\ndiff --git a/y b/y\n"
    )
    expect(joinDiffs([])).toBe("")
  })

  it("returns the problem of a malformed diff", () => {
    expect(splitByFile("just words\n")).toMatchObject({ ok: false })
  })
})

describe("reverseDiff", () => {
  it("restores the original tree exactly (content, modes, renames, binaries) when applied on the changed tree", () => {
    const reversed = okText(reverseDiff(repo.diff("-M", "--binary")))
    expect(repo.applies(repo.changed, reversed)).toEqual({ ok: true, output: "" })
    expect(repo.treeAfter(repo.changed, reversed)).toBe(repo.treeOf(repo.base))
  })

  it("prints what `git diff -R` prints, file by file, up to function context", () => {
    const ours = sectionsOf(okText(reverseDiff(repo.diff("-M", "--binary"))))
    const gits = sectionsOf(repo.diffReversed("-M", "--binary"))
    expect([...ours.keys()].sort()).toEqual([...gits.keys()].sort())
    for (const [path, section] of ours) {
      expect(withoutCosmetics(section), path).toBe(withoutCosmetics(gits.get(path)!))
    }
  })

  it("reverses `Binary files … differ` sections when the index hashes are full", () => {
    const reversed = okText(reverseDiff(repo.diff("-M", "--full-index")))
    expect(reversed).toContain("Binary files a/assets/logo.bin and b/assets/logo.bin differ")
    expect(reversed).toContain("Binary files a/assets/new.bin and /dev/null differ")
    expect(repo.treeAfter(repo.changed, reversed)).toBe(repo.treeOf(repo.base))
  })

  it("gives sections that apply alone, and reverses back to the forward change", () => {
    const forward = repo.diff("-M", "--binary")
    const reversed = okText(reverseDiff(forward))
    for (const [path, section] of sectionsOf(reversed)) {
      expect(repo.applies(repo.changed, section), path).toEqual({ ok: true, output: "" })
    }
    const twice = okText(reverseDiff(reversed))
    expect(repo.treeAfter(repo.base, twice)).toBe(repo.treeOf(repo.changed))
    expect(okText(normaliseDiff(twice))).toBe(okText(normaliseDiff(forward)))
  })

  it("reverses traditional unified diffs", () => {
    const section = sectionsOf(repo.diff()).get("src/calc.js")!
    const traditional = section.replace(/^(diff --git|index) .*\n/gm, "")
    const reversed = okText(reverseDiff(traditional))
    expect(reversed.startsWith("--- b/src/calc.js\n+++ a/src/calc.js\n")).toBe(true)
    expect(repo.applies(repo.changed, reversed)).toEqual({ ok: true, output: "" })
  })

  it("reverses the empty diff to the empty diff", () => {
    expect(reverseDiff("")).toEqual({ ok: true, text: "" })
  })

  it("refuses copies, whose reverse needs content the diff does not carry", () => {
    const content = "one\ntwo\nthree\n"
    const copies = makeChangeRepo({ "a.js": content }, { "a.js": content, "b.js": content })
    const text = copies.diff("-C", "--find-copies-harder")
    const parsed = parseDiff(text)
    expect(parsed).toMatchObject({ ok: true, files: [{ oldPath: "a.js", newPath: "b.js", change: "copy" }] })
    expect(reverseDiff(text)).toMatchObject({ ok: false, reason: expect.stringMatching(/copy/) })
  })

  it("returns the problem of a malformed diff", () => {
    expect(reverseDiff('{"diff": null}')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a diff/) })
  })
})

describe("normaliseDiff and diffHash", () => {
  it("are stable across git diff option noise", () => {
    const reference = repo.diff("-M")
    const variants = [
      ["-M", "-U1"],
      ["-M", "-U0"],
      ["-M", "-U10"],
      ["-M", "--function-context"],
      ["-M", "--abbrev=12"],
      ["-M", "--full-index"],
      ["-M", "--binary"],
      ["-M", "--src-prefix=left/", "--dst-prefix=right/"],
      ["-M", "--no-indent-heuristic"]
    ]
    const expected = okText(normaliseDiff(reference))
    for (const flags of variants) {
      expect(okText(normaliseDiff(repo.diff(...flags))), flags.join(" ")).toBe(expected)
    }
    expect(hashOf(reference)).toMatch(/^[0-9a-f]{64}$/)
  })

  it("equal for our reverse and git's `diff -R`, and for shuffled file order", () => {
    const reversed = okText(reverseDiff(repo.diff("-M", "--binary")))
    expect(hashOf(reversed)).toBe(hashOf(repo.diffReversed("-M", "--binary")))
    const shuffled = joinDiffs([...sectionsOf(repo.diff("-M")).values()].reverse())
    expect(hashOf(shuffled)).toBe(hashOf(repo.diff("-M")))
  })

  it("produces a sorted, context-free diff without index lines, and is idempotent", () => {
    const normal = okText(normaliseDiff(repo.diff("-M")))
    expect(normal).not.toMatch(/^index [0-9a-f]+\.\.[0-9a-f]+ \d+$/m)
    expect(normal).not.toMatch(/^@@ .* @@ ./m)
    expect(normal).not.toMatch(/^ /m)
    expect(normal).toContain("@@ -5,1 +5,1 @@\n-  return first + second\n+  return first - second\n")
    const parsed = parseDiff(normal)
    if (!parsed.ok) throw new Error(parsed.reason)
    const paths = parsed.files.map((file) => file.path)
    expect(paths).toEqual([...paths].sort())
    expect(okText(normaliseDiff(normal))).toBe(normal)
  })

  it("tells different changes apart, including whitespace-only ones and the direction", () => {
    const forward = hashOf(repo.diff("-M"))
    expect(hashOf(repo.diffReversed("-M"))).not.toBe(forward)
    const before = { "x.js": "let x = 1\nlet y = 2\n" }
    const plain = makeChangeRepo(before, { "x.js": "let x = 3\nlet y = 2\n" })
    const trailingSpace = makeChangeRepo(before, { "x.js": "let x = 3 \nlet y = 2\n" })
    const crlf = makeChangeRepo(before, { "x.js": "let x = 3\r\nlet y = 2\n" })
    const hashes = [plain, trailingSpace, crlf].map((r) => hashOf(r.diff()))
    expect(new Set(hashes).size).toBe(3)
  })

  it("treat a traditional diff and a git diff of the same change alike", () => {
    const section = sectionsOf(repo.diff()).get("src/calc.js")!
    const traditional = section.replace(/^(diff --git|index) .*\n/gm, "")
    expect(hashOf(traditional)).toBe(hashOf(section))
  })

  it("hash the empty diff and report malformed ones", () => {
    expect(normaliseDiff("")).toEqual({ ok: true, text: "" })
    expect(hashOf("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(diffHash("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n")).toMatchObject({ ok: false })
  })
})

describe("splitHunks", () => {
  it("splits a file section into single-hunk diffs that keep the file header", () => {
    const section = [
      "diff --git a/src/a.js b/src/a.js",
      "index 1111111..2222222 100644",
      "--- a/src/a.js",
      "+++ b/src/a.js",
      "@@ -1,2 +1,2 @@",
      "-a",
      "+b",
      " c",
      "@@ -10,2 +10,2 @@",
      "-x",
      "+y",
      ""
    ].join("\n")
    const hunks = splitHunks(section)
    expect(hunks).toHaveLength(2)
    for (const hunk of hunks) expect(hunk.startsWith("diff --git a/src/a.js b/src/a.js\nindex 1111111..2222222 100644\n--- a/src/a.js\n+++ b/src/a.js\n@@")).toBe(true)
    expect(hunks[1]).toBe("diff --git a/src/a.js b/src/a.js\nindex 1111111..2222222 100644\n--- a/src/a.js\n+++ b/src/a.js\n@@ -10,2 +10,2 @@\n-x\n+y\n")
  })
})
