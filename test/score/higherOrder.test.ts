import { describe, expect, it } from "vitest"
import { selectHigherOrder, stateHashOf } from "../../src/phases/score/higherOrder.ts"

const diff = (path: string, from: string, to: string) =>
  `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-${from}\n+${to}\n`

const parentDiff = diff("src/a.js", "return a + b", "return a - b")
const parentHash = stateHashOf(parentDiff)!
const attempt = (index: number, overrides: Partial<Parameters<typeof selectHigherOrder>[0]["attempts"][number]> = {}) => ({
  index,
  success: false,
  failedTests: ["adds"],
  stateHash: stateHashOf(diff("src/a.js", "return a + b", `return a * b + ${index}`)) ?? null,
  patch: diff("src/a.js", "return a - b", `return a * b + ${index}`),
  ...overrides
})

describe("higher-order bug selection (GAME.md §6)", () => {
  it("keeps failed attempts that still fail an oracle test and change the code", () => {
    const chosen = selectHigherOrder({ parentOrder: 1, parentStateHash: parentHash, maxOrder: 2, limit: 5, attempts: [attempt(0), attempt(1)] })
    expect(chosen.map((c) => c.attemptIndex)).toEqual([0, 1])
  })

  it("drops successes, attempts failing no test (only missing), empty patches and states equal to the parent's", () => {
    const chosen = selectHigherOrder({
      parentOrder: 1, parentStateHash: parentHash, maxOrder: 2, limit: 5,
      attempts: [
        attempt(0, { success: true, failedTests: [] }),
        attempt(1, { failedTests: [] }),
        attempt(2, { patch: "" }),
        attempt(3, { stateHash: parentHash }),
        attempt(4)
      ]
    })
    expect(chosen.map((c) => c.attemptIndex)).toEqual([4])
  })

  it("deduplicates identical states, respects max_order and the per-bug limit", () => {
    const same = attempt(1, { stateHash: attempt(0).stateHash })
    expect(selectHigherOrder({ parentOrder: 1, parentStateHash: parentHash, maxOrder: 2, limit: 5, attempts: [attempt(0), same] })).toHaveLength(1)
    expect(selectHigherOrder({ parentOrder: 2, parentStateHash: parentHash, maxOrder: 2, limit: 5, attempts: [attempt(0)] })).toHaveLength(0)
    expect(selectHigherOrder({ parentOrder: 1, parentStateHash: parentHash, maxOrder: 3, limit: 1, attempts: [attempt(0), attempt(1)] })).toHaveLength(1)
  })
})
