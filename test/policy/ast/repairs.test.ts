import { describe, expect, it } from "vitest"
import { applyRepairEdit } from "../../../src/policy/procedural/ast/edits.ts"
import { applyMutation } from "../../../src/policy/procedural/ast/mutate.ts"
import { listRepairCandidates, listRepairEdits } from "../../../src/policy/procedural/ast/repairs.ts"
import { listMutationSites } from "../../../src/policy/procedural/ast/sites.ts"
import { DIRECT_KINDS, type MutationSite, type SourceText } from "../../../src/policy/procedural/ast/types.ts"
import { makeRandom } from "../../../src/policy/procedural/random.ts"
import { cartEsm, listCjs, mathCjs, queueTs } from "./fixtures.ts"

const files: ReadonlyArray<SourceText> = [
  { path: "src/math.js", text: mathCjs },
  { path: "src/cart.mjs", text: cartEsm },
  { path: "src/queue.ts", text: queueTs },
  { path: "lib/list.js", text: listCjs }
]

const mutate = (file: SourceText, site: MutationSite): string => {
  const result = applyMutation(file, site)
  if (!result.ok) throw new Error(result.reason)
  return result.text
}

/** Rank (0-based) of the first candidate near `line` that restores `original` exactly, or -1. */
const restoringRank = (file: SourceText, mutated: string, line: number): number =>
  listRepairCandidates({ path: file.path, text: mutated }, { lines: [line] }).findIndex((c) => c.apply(mutated) === file.text)

/** Inverse is not derivable: an emptied non-empty string literal whose value appears nowhere else in the file. */
const isUnrecoverableString = (file: SourceText, site: MutationSite): boolean =>
  site.kind === "change-constant" && /^['"`].+['"`]$/.test(site.original) && file.text.split(site.original).length === 2

/**
 * remove-return-value is invertible when the value was a name (a local, a parameter or `this`) or a boolean
 * (the function's other returns tell which values it returns).
 */
const returnsName = (site: MutationSite): boolean => /^return\s+(this|true|false|[A-Za-z_$][\w$]*);?$/.test(site.original)

describe("listRepairCandidates", () => {
  it("fills an emptied string with a hinted value even when the file never spells it", () => {
    const text = 'export function sign(n) {\n  const a = "x"; const b = "y"; const c = "z"\n  return n < 0 ? "" : "+"\n}\n'
    const file = { path: "src/sign.js", text }
    const fills = (hints: { strings?: Array<string> }) =>
      listRepairEdits(file, { lines: [3], ...hints }).filter((e) => e.kind === "change-constant" && e.original === "\"\"").map((e) => e.replacement)
    expect(fills({})).not.toContain("\"-\"")
    expect(fills({ strings: ["-"] })).toContain("\"-\"")
  })

  it("includes the exact inverse of every direct mutation", () => {
    let checked = 0
    const missing: Array<string> = []
    for (const file of files) {
      for (const site of listMutationSites(file, { kinds: DIRECT_KINDS })) {
        if (isUnrecoverableString(file, site)) continue
        if (site.kind === "remove-return-value" && !returnsName(site)) continue
        const mutated = mutate(file, site)
        if (restoringRank(file, mutated, site.line) < 0) missing.push(site.description)
        checked++
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(60)
  })

  it("ranks the inverse of a one-token change among the first few candidates on the hinted line", () => {
    const file = files[0]!
    for (const site of listMutationSites(file, { kinds: ["flip-operator", "negate-condition"] })) {
      const rank = restoringRank(file, mutate(file, site), site.line)
      expect(rank, site.description).toBeGreaterThanOrEqual(0)
      expect(rank, site.description).toBeLessThan(12)
    }
  })

  it("adds back a dropped final `return <local>`", () => {
    const file = files[0]!
    const site = listMutationSites(file, { kinds: ["remove-statement"] }).find((s) => s.original.trim() === "return total")!
    const mutated = mutate(file, site)
    const candidates = listRepairCandidates({ path: file.path, text: mutated }, { symbols: ["sum"] })
    const restoring = candidates.find((c) => c.apply(mutated) === file.text)
    expect(restoring?.kind).toBe("add-return")
    expect(restoring?.description).toBe("add `return total` at the end of sum")
  })

  it("restores an emptied body that returned a parameter or local", () => {
    const identity = { path: "src/id.ts", text: "export function keep<T>(value: T, _why: string): T {\n  return value\n}\n" }
    const site = listMutationSites(identity, { kinds: ["remove-function-body"] })[0]!
    const mutated = mutate(identity, site)
    expect(mutated).toContain("  return undefined as never\n}")
    const candidates = listRepairCandidates({ path: identity.path, text: mutated }, { lines: [site.line] })
    const fixed = candidates.map((c) => c.apply(mutated)).find((t) => t?.includes("return value") === true)
    expect(fixed).toBe("export function keep<T>(value: T, _why: string): T {\n  return value\n}\n")
    const arrow = { path: "src/a.js", text: "export const twice = (n) => n * 2\nexport const same = (x) => x\n" }
    const arrowSite = listMutationSites(arrow, { kinds: ["remove-function-body"] }).find((s) => s.symbol === "same")!
    const arrowMutated = mutate(arrow, arrowSite)
    expect(listRepairCandidates({ path: arrow.path, text: arrowMutated }, { symbols: ["same"] }).some((c) => c.apply(arrowMutated) === arrow.text)).toBe(true)
  })

  it("re-inserts a guard seen in a sibling, renaming parameters", () => {
    const file = files[3]!
    for (const symbol of ["tail", "List.last"]) {
      const site = listMutationSites(file, { kinds: ["remove-statement"] })
        .find((s) => s.symbol === symbol && s.original.includes("if ("))!
      const mutated = mutate(file, site)
      const candidates = listRepairCandidates({ path: file.path, text: mutated }, { lines: [site.line] })
      const restoring = candidates.find((c) => c.apply(mutated) === file.text)
      expect(restoring?.kind, symbol).toBe("insert-sibling-statement")
    }
    const renamed = {
      path: "src/g.js",
      text: "function first(xs) {\n  if (xs.length === 0) return null\n  return xs[0]\n}\n\nfunction last(list) {\n  return list[list.length - 1]\n}\n"
    }
    const candidates = listRepairCandidates(renamed, { symbols: ["last"] })
    const guard = candidates.find((c) => c.kind === "insert-sibling-statement")
    expect(guard?.apply(renamed.text)).toContain("function last(list) {\n  if (list.length === 0) return null\n  return list[list.length - 1]")
  })

  it("orders by distance from the hints and limits the search to the hinted functions", () => {
    const file = files[0]!
    const edits = listRepairEdits(file, { lines: [11] })
    expect(edits.length).toBeGreaterThan(5)
    expect(edits.every((e, i) => i === 0 || edits[i - 1]!.distance <= e.distance)).toBe(true)
    expect(edits[0]!.line).toBe(11)
    // line 11 is in sum: nothing from grade or scale
    expect(edits.every((e) => e.line >= 9 && e.line <= 16)).toBe(true)
    expect(listRepairEdits(file, { symbols: ["scale"] }).every((e) => e.line >= 31 && e.line <= 33)).toBe(true)
    expect(listRepairEdits(file, { lines: [11], limit: 3 })).toHaveLength(3)
  })

  it("apply returns undefined for stale or unparsable results", () => {
    const file = files[0]!
    const [edit] = listRepairEdits(file, { lines: [4] })
    expect(applyRepairEdit(file.text, edit!)).toBeTypeOf("string")
    expect(applyRepairEdit(`\n${file.text}`, edit!)).toBeUndefined()
    expect(applyRepairEdit(file.text, { ...edit!, replacement: "(((" })).toBeUndefined()
  })

  it("a seeded solver with a small budget solves some bugs sometimes (0 < s < 1)", () => {
    // The solver's budget is smaller than the candidate list; which candidates it tries depends on its seed.
    const file = files[1]!
    const sites = listMutationSites(file, { kinds: ["flip-operator", "change-constant", "negate-condition"] })
    const rates = sites.map((site) => {
      const mutated = mutate(file, site)
      const candidates = listRepairCandidates({ path: file.path, text: mutated }, { symbols: [site.symbol] }).slice(0, 24)
      const fixes = new Set(candidates.flatMap((c, i) => (c.apply(mutated) === file.text ? [i] : [])))
      let solved = 0
      for (let seed = 0; seed < 40; seed++) {
        const tried = makeRandom(`${site.start}:${seed}`).sample([...candidates.keys()], 4)
        if (tried.some((i) => fixes.has(i))) solved++
      }
      return solved / 40
    })
    expect(rates.some((s) => s > 0 && s < 1)).toBe(true)
  })
})
