import { isDeepStrictEqual } from "node:util"
import vm from "node:vm"

/**
 * Small pure CommonJS module: every site in it changes the result of at least one probe (no equivalent mutants:
 * e.g. `if (v < min) return min` would be one, since `<=` returns the same min).
 */
export const mathCjs = `'use strict'

function grade(score) {
  if (score < 50) return 'fail'
  if (score > 90) return 'top'
  return 'pass'
}

function sum(xs) {
  let total = 0
  for (let i = 0; i < xs.length; i++) {
    total = total + xs[i]
  }
  return total
}

const isAdult = (age) => age >= 18

function pick(obj, fallback) {
  return obj ?? fallback
}

function label(n) {
  return n === 1 ? 'item' : 'items'
}

function both(a, b) {
  return a && b
}

function scale(x, k) {
  return x * k
}

function isBlank(text) {
  return text.trim() === ''
}

module.exports = { grade, sum, isAdult, pick, label, both, scale, isBlank }
`

export const mathProbes: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]> = [
  ["grade", [49]], ["grade", [50]], ["grade", [70]], ["grade", [90]], ["grade", [91]],
  ["sum", [[]]], ["sum", [[1, 2, 3]]],
  ["isAdult", [17]], ["isAdult", [18]], ["isAdult", [30]],
  ["pick", [null, 3]], ["pick", [0, 3]], ["pick", [5, 3]],
  ["label", [1]], ["label", [2]],
  ["both", [true, false]], ["both", [0, 1]], ["both", [1, 2]],
  ["scale", [6, 2]],
  ["isBlank", ["  "]], ["isBlank", ["x"]]
]

/** Loads a CommonJS module text in a fresh VM context. */
export const loadCommonJs = (text: string): Record<string, (...args: Array<unknown>) => unknown> => {
  const module = { exports: {} as Record<string, (...args: Array<unknown>) => unknown> }
  vm.runInNewContext(text, { module, exports: module.exports, require: () => ({}) }, { timeout: 1_000 })
  return module.exports
}

/** Probe outputs (a thrown error is an output too); compared with isDeepStrictEqual. */
export const probe = (text: string, probes: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]>): Array<unknown> => {
  const exports = loadCommonJs(text)
  return probes.map(([name, args]) => {
    try {
      const fn = exports[name]
      return fn === undefined ? { missing: name } : { value: fn(...args.map((a) => structuredClone(a))) }
    } catch (error) {
      return { threw: error instanceof Error ? error.constructor.name : String(error) }
    }
  })
}

export const sameOutputs = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean => isDeepStrictEqual(a, b)

/** ESM JavaScript with classes, object methods, callbacks and an import. */
export const cartEsm = `import { roundCents } from './money.js';

export const TAX_RATE = 0.2;
const FREE_SHIPPING_FROM = 50;

export class Cart {
  constructor(items = []) {
    this.items = items;
  }

  add(item) {
    if (!item || item.qty <= 0) {
      throw new Error('invalid item');
    }
    this.items.push(item);
    return this;
  }

  get subtotal() {
    return this.items.reduce((acc, item) => acc + item.price * item.qty, 0);
  }

  shipping() {
    if (this.subtotal >= FREE_SHIPPING_FROM) return 0;
    return 5;
  }

  total() {
    const taxed = this.subtotal * (1 + TAX_RATE);
    const result = roundCents(taxed + this.shipping());
    return result;
  }
}

export const formatters = {
  currency(value) {
    return value.toFixed(2) + ' EUR';
  },
  percent: (value) => Math.round(value * 100) + '%',
};

export function describeCart(cart) {
  const count = cart.items.length;
  if (count === 0) {
    return 'empty';
  }
  return count > 1 ? count + ' items' : '1 item';
}
`

/** TypeScript with types, interfaces, generics, enums-free unions, a class with accessors and arrow members. */
export const queueTs = `import type { Clock } from "./clock.ts"

export interface Job {
  readonly id: string
  readonly priority: 1 | 2 | 3
  attempts: number
}

type Ordering = (a: Job, b: Job) => number

const byPriority: Ordering = (a, b) => b.priority - a.priority || a.attempts - b.attempts

export class JobQueue<T extends Job = Job> {
  private readonly jobs: Array<T> = []
  private paused = false

  constructor(private readonly clock: Clock, readonly limit: number = 100) {}

  get size(): number {
    return this.jobs.length
  }

  push(job: T): boolean {
    if (this.jobs.length >= this.limit) {
      return false
    }
    this.jobs.push(job)
    this.jobs.sort(byPriority)
    return true
  }

  next(): T | undefined {
    if (this.paused) return undefined
    const job = this.jobs.shift()
    if (job !== undefined) {
      job.attempts += 1
    }
    return job
  }

  retryable = (job: T, maxAttempts = 3): boolean => job.attempts < maxAttempts && !this.paused

  pause(): void {
    this.paused = true
  }
}

export function drain<T extends Job>(queue: JobQueue<T>, max: number): Array<T> {
  const out: Array<T> = []
  while (out.length < max) {
    const job = queue.next()
    if (job === undefined) break
    out.push(job)
  }
  return out
}
`

/** CommonJS with prototype methods, a sibling pair sharing a guard, and 4-space indentation. */
export const listCjs = `"use strict";

function List(items) {
    this.items = items || [];
}

List.prototype.first = function (fallback) {
    if (this.items.length === 0) return fallback;
    return this.items[0];
};

List.prototype.last = function (fallback) {
    if (this.items.length === 0) return fallback;
    return this.items[this.items.length - 1];
};

function head(list, count) {
    if (count <= 0) return [];
    const taken = list.slice(0, count);
    return taken;
}

function tail(list, count) {
    if (count <= 0) return [];
    const taken = list.slice(-count);
    return taken;
}

exports.List = List;
exports.head = head;
exports.tail = tail;
`
