import { describe, expect, it } from "vitest"
import { bandOf, injectorReward, solverReward, solveRate } from "../../src/phases/score/rewards.ts"

describe("rewards (GAME.md §4)", () => {
  it("solver: +1 on success, −1 otherwise", () => {
    expect(solverReward(true)).toBe(1)
    expect(solverReward(false)).toBe(-1)
  })

  it("injector: the worked values of GAME.md with G = 8, α = 0.8", () => {
    const r = (k: number) => injectorReward({ valid: true, solveRate: solveRate(k, 8), alpha: 0.8 })
    expect(r(1)).toBeCloseTo(0.775, 10)
    expect(r(2)).toBeCloseTo(0.55, 10)
    expect(r(4)).toBeCloseTo(0.1, 10)
    expect(r(6)).toBeCloseTo(-0.35, 10)
    expect(r(0)).toBe(-0.8)
    expect(r(8)).toBe(-0.8)
  })

  it("injector: −1 for an invalid artifact, whatever the solve rate", () => {
    expect(injectorReward({ valid: false, solveRate: 0.25, alpha: 0.8 })).toBe(-1)
    expect(injectorReward({ valid: false, solveRate: null, alpha: 0.8 })).toBe(-1)
  })

  it("expected injector reward peaks for solve rates near 0.2–0.26", () => {
    // With per-attempt success probability p, E[reward] over Binomial(8, p) outcomes.
    const choose = (n: number, k: number): number => (k === 0 || k === n ? 1 : choose(n - 1, k - 1) + choose(n - 1, k))
    const expected = (p: number) => {
      let sum = 0
      for (let k = 0; k <= 8; k++) sum += choose(8, k) * p ** k * (1 - p) ** (8 - k) * injectorReward({ valid: true, solveRate: k / 8, alpha: 0.8 })
      return sum
    }
    let best = 0
    for (let p = 0.01; p < 1; p += 0.01) if (expected(p) > expected(best)) best = p
    expect(best).toBeGreaterThan(0.18)
    expect(best).toBeLessThan(0.28)
  })

  it("bands and solve rate", () => {
    expect(bandOf(0)).toBe("too-hard")
    expect(bandOf(1)).toBe("too-easy")
    expect(bandOf(0.5)).toBe("in-band")
    expect(() => solveRate(0, 0)).toThrow()
  })
})
