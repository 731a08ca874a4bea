/*
 * A tiny deterministic PRNG for the procedural policy. Same seed → same sequence on every platform and Node
 * version (only 32-bit integer arithmetic), so a recorded seed reproduces an injection or a solver attempt.
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, bound); bound must be ≥ 1. */
  int(bound: number): number
  /** One element; the array must be non-empty. */
  pick<A>(items: ReadonlyArray<A>): A
  /** A shuffled copy (Fisher–Yates). */
  shuffle<A>(items: ReadonlyArray<A>): Array<A>
  /** The first `count` elements of a shuffled copy. */
  sample<A>(items: ReadonlyArray<A>, count: number): Array<A>
  /** An independent stream derived from this one's seed and a label (does not advance this stream). */
  fork(label: string): Random
}

export type Seed = number | string

/** FNV-1a over UTF-16 code units, then avalanche-mixed; maps any string to a 32-bit seed. */
export const hashSeed = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  return hash >>> 0
}

const toUint32 = (seed: Seed): number =>
  typeof seed === "number" && Number.isInteger(seed) ? seed >>> 0 : hashSeed(String(seed))

/** mulberry32: 32-bit state, period 2^32, good enough for sampling (not for cryptography). */
const mulberry32 = (initial: number): (() => number) => {
  let state = initial >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const makeRandom = (seed: Seed): Random => {
  const base = toUint32(seed)
  const next = mulberry32(base)
  const int = (bound: number): number => {
    if (!(bound >= 1)) throw new RangeError(`Random.int: bound must be >= 1, got ${bound}`)
    return Math.floor(next() * Math.floor(bound))
  }
  const shuffle = <A>(items: ReadonlyArray<A>): Array<A> => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1)
      const tmp = copy[i] as A
      copy[i] = copy[j] as A
      copy[j] = tmp
    }
    return copy
  }
  return {
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new RangeError("Random.pick: empty array")
      return items[int(items.length)] as (typeof items)[number]
    },
    shuffle,
    sample: (items, count) => shuffle(items).slice(0, Math.max(0, count)),
    fork: (label) => makeRandom(hashSeed(`${base}:${label}`))
  }
}
