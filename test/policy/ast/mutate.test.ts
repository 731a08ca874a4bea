import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { applyMutation, applyMutations, chooseMutations, groupSitesByFile } from "../../../src/policy/procedural/ast/mutate.ts"
import { listMutationSites } from "../../../src/policy/procedural/ast/sites.ts"
import { syntaxErrors } from "../../../src/policy/procedural/ast/source.ts"
import { ALL_MUTATION_KINDS, type MutationSite, type SourceText } from "../../../src/policy/procedural/ast/types.ts"
import { makeRandom } from "../../../src/policy/procedural/random.ts"
import { cartEsm, listCjs, mathCjs, mathProbes, probe, queueTs, sameOutputs } from "./fixtures.ts"

const files: ReadonlyArray<SourceText> = [
  { path: "src/math.js", text: mathCjs },
  { path: "src/cart.mjs", text: cartEsm },
  { path: "src/queue.ts", text: queueTs },
  { path: "lib/list.js", text: listCjs }
]
const all = { kinds: ALL_MUTATION_KINDS }

describe("applyMutation", () => {
  it("every site of every fixture yields parsable code, identical outside the edit", () => {
    let count = 0
    for (const file of files) {
      expect(syntaxErrors(file.path, file.text)).toEqual([])
      for (const site of listMutationSites(file, all)) {
        const result = applyMutation(file, site)
        if (!result.ok) throw new Error(`${site.description}: ${result.reason}`)
        expect(syntaxErrors(file.path, result.text)).toEqual([])
        expect(result.text.slice(0, site.start)).toBe(file.text.slice(0, site.start))
        expect(result.text.slice(site.start + site.replacement.length)).toBe(file.text.slice(site.end))
        expect(result.text).not.toBe(file.text)
        count++
      }
    }
    expect(count).toBeGreaterThan(100)
  })

  it("every mutation of the pure module changes what some probe returns", () => {
    const baseline = probe(mathCjs, mathProbes)
    const sites = listMutationSites({ path: "src/math.js", text: mathCjs }, all)
    expect(sites.length).toBeGreaterThan(30)
    const unchanged: Array<string> = []
    for (const site of sites) {
      const result = applyMutation({ path: "src/math.js", text: mathCjs }, site)
      if (!result.ok) throw new Error(result.reason)
      if (sameOutputs(baseline, probe(result.text, mathProbes))) unchanged.push(site.description)
    }
    expect(unchanged).toEqual([])
  })

  it("flipping < really changes sum's result", () => {
    const site = listMutationSites({ path: "src/math.js", text: mathCjs }, { kinds: ["flip-operator"] })
      .find((s) => s.symbol === "sum" && s.original === "<")
    expect(site).toBeDefined()
    const result = applyMutation({ path: "src/math.js", text: mathCjs }, site!)
    if (!result.ok) throw new Error(result.reason)
    expect(result.text).toContain("i <= xs.length")
    expect(probe(mathCjs, [["sum", [[1, 2, 3]]]])).toEqual([{ value: 6 }])
    expect(probe(result.text, [["sum", [[1, 2, 3]]]])).toEqual([{ value: Number.NaN }])
  })

  const tempDir = mkdtempSync(join(tmpdir(), "ssr-mutate-"))
  afterAll(() => rmSync(tempDir, { recursive: true, force: true }))

  it("ESM: an emptied method body keeps the module loadable and changes the result", async () => {
    writeFileSync(join(tempDir, "money.js"), "export const roundCents = (x) => Math.round(x * 100) / 100;\n")
    writeFileSync(join(tempDir, "package.json"), "{\"type\":\"module\"}\n")
    const load = async (text: string, name: string) => {
      writeFileSync(join(tempDir, name), text)
      return (await import(pathToFileURL(join(tempDir, name)).href)) as { Cart: new(items: Array<unknown>) => { total(): number } }
    }
    const original = await load(cartEsm, "cart-original.js")
    const items = [{ price: 10, qty: 2 }]
    expect(new original.Cart(items).total()).toBe(29)
    const sites = listMutationSites({ path: "src/cart.js", text: cartEsm }, { kinds: ["remove-function-body"] })
    const shipping = sites.find((s) => s.symbol === "Cart.shipping")!
    expect(shipping.replacement).toBe("{\n  }")
    const result = applyMutation({ path: "src/cart.js", text: cartEsm }, shipping)
    if (!result.ok) throw new Error(result.reason)
    const mutated = await load(result.text, "cart-mutated.js")
    expect(new mutated.Cart([{ price: 10, qty: 2 }]).total()).toBeNaN()
  })

  it("TypeScript: a removed body with a declared return type stays type-correct", () => {
    const site = listMutationSites({ path: "src/queue.ts", text: queueTs }, { kinds: ["remove-function-body"] })
      .find((s) => s.symbol === "drain")!
    expect(site.replacement).toBe("{\n  return undefined as never\n}")
    const arrow = listMutationSites({ path: "src/queue.ts", text: queueTs }, { kinds: ["remove-function-body"] })
      .find((s) => s.symbol === "JobQueue.retryable")!
    expect(arrow.replacement).toBe("undefined as never")
    const pause = listMutationSites({ path: "src/queue.ts", text: queueTs }, { kinds: ["remove-function-body"] })
      .find((s) => s.symbol === "JobQueue.pause")!
    expect(pause.replacement).toBe("{\n  }")
  })

  it("follows the file's indentation and semicolon style", () => {
    const tabbed = "function f(a) {\n\tif (a) {\n\t\treturn 1\n\t}\n\treturn 2\n}\n"
    const ts = "export function g(a: number): number {\n\tconst b = a + 1\n\treturn b\n}\n"
    const site = listMutationSites({ path: "x.ts", text: ts }, { kinds: ["remove-function-body"] })[0]!
    expect(site.replacement).toBe("{\n\treturn undefined as never\n}")
    const semicolons = "export function g(a: number): number {\n    const b = a + 1;\n    return b;\n}\n"
    expect(listMutationSites({ path: "y.ts", text: semicolons }, { kinds: ["remove-function-body"] })[0]!.replacement)
      .toBe("{\n    return undefined as never;\n}")
    const removal = listMutationSites({ path: "x.js", text: tabbed }, { kinds: ["remove-statement"] })
      .find((s) => s.original.includes("return 2"))!
    expect(removal.original).toBe("\treturn 2\n")
  })

  it("rejects stale sites, overlapping sites and unparsable results", () => {
    const file = { path: "src/math.js", text: mathCjs }
    const [first, second] = listMutationSites(file, { kinds: ["flip-operator"] })
    expect(applyMutation({ ...file, text: `// header\n${mathCjs}` }, first!)).toMatchObject({ ok: false })
    expect(applyMutations(file, [first!, { ...first!, replacement: "<=" }])).toMatchObject({ ok: false })
    expect(applyMutation(file, { ...first!, replacement: "<<<" })).toMatchObject({ ok: false })
    const both = applyMutations(file, [first!, second!])
    expect(both.ok && both.text.includes("score <= 50") && both.text.includes("score >= 90")).toBe(true)
  })
})

describe("chooseMutations", () => {
  const sitesByFile = Object.fromEntries(files.map((f) => [f.path, listMutationSites(f, all)]))
  const key = (sites: ReadonlyArray<MutationSite>) => sites.map((s) => `${s.file}:${s.start}:${s.kind}`).join(",")

  it("is deterministic per seed and differs across seeds", () => {
    const a = chooseMutations(sitesByFile, { seed: 7, count: 3, minFiles: 2 })
    const b = chooseMutations(new Map(Object.entries(sitesByFile).reverse()), { seed: 7, count: 3, minFiles: 2 })
    expect(key(a)).toBe(key(b))
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => key(chooseMutations(sitesByFile, { seed, count: 3, minFiles: 2 }))))
    expect(distinct.size).toBeGreaterThan(15)
  })

  it("spreads over at least minFiles files and never overlaps within a file", () => {
    for (let seed = 0; seed < 50; seed++) {
      const chosen = chooseMutations(sitesByFile, { seed, count: 2, minFiles: 3 })
      expect(new Set(chosen.map((s) => s.file)).size).toBe(3)
      const many = chooseMutations(sitesByFile, { seed, count: 12, minFiles: 1 })
      expect(many).toHaveLength(12)
      for (const [path, group] of groupSitesByFile(many)) {
        const result = applyMutations(files.find((f) => f.path === path)!, group)
        if (!result.ok) throw new Error(result.reason)
      }
    }
  })

  it("has no location bias: every file and every kind gets picked", () => {
    const fileCounts = new Map<string, number>()
    const kindCounts = new Map<string, number>()
    for (let seed = 0; seed < 400; seed++) {
      const [site] = chooseMutations(sitesByFile, { seed: `run-${seed}`, count: 1, minFiles: 1 })
      fileCounts.set(site!.file, (fileCounts.get(site!.file) ?? 0) + 1)
      kindCounts.set(site!.kind, (kindCounts.get(site!.kind) ?? 0) + 1)
    }
    // files are drawn uniformly (100 expected each) although their site counts differ a lot
    for (const file of files) expect(fileCounts.get(file.path)).toBeGreaterThan(60)
    for (const kind of ALL_MUTATION_KINDS) expect(kindCounts.get(kind)).toBeGreaterThan(20)
  })

  it("honours kinds and copes with too few files", () => {
    const removal = chooseMutations(sitesByFile, { seed: 1, count: 3, minFiles: 3, kinds: ["remove-function-body", "remove-statement"] })
    expect(removal.every((s) => s.kind.startsWith("remove-"))).toBe(true)
    const one = { "src/math.js": sitesByFile["src/math.js"]! }
    expect(new Set(chooseMutations(one, { seed: 1, count: 1, minFiles: 3 }).map((s) => s.file)).size).toBe(1)
    expect(chooseMutations({}, { seed: 1, count: 3, minFiles: 1 })).toEqual([])
  })
})

describe("random", () => {
  it("mulberry32 is reproducible and roughly uniform", () => {
    const a = makeRandom("seed")
    const b = makeRandom("seed")
    const xs = Array.from({ length: 1000 }, () => a.next())
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    const buckets = [0, 0, 0, 0]
    const r = makeRandom(42)
    for (let i = 0; i < 4000; i++) buckets[r.int(4)]!++
    for (const count of buckets) expect(count).toBeGreaterThan(850)
    expect(makeRandom(1).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5])
    expect(makeRandom(1).fork("x").next()).toBe(makeRandom(1).fork("x").next())
  })
})
