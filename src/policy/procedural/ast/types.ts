/*
 * Plain, structured-clonable data shared by the AST functions and the worker pool. Offsets are UTF-16 indexes
 * into the file text (what String.prototype.slice uses); lines are 1-based.
 */

export interface SourceText {
  /** Repository-relative path; its extension selects the parser (.ts/.tsx/.mts/.cts/.js/.jsx/.mjs/.cjs). */
  readonly path: string
  readonly text: string
}

export const REMOVAL_KINDS = ["remove-function-body", "remove-statement"] as const
export const DIRECT_KINDS = ["flip-operator", "negate-condition", "change-constant", "remove-return-value"] as const
export const ALL_MUTATION_KINDS = [...REMOVAL_KINDS, ...DIRECT_KINDS] as const

export type RemovalKind = (typeof REMOVAL_KINDS)[number]
export type DirectKind = (typeof DIRECT_KINDS)[number]
export type MutationKind = RemovalKind | DirectKind

/**
 * One place where a mutation can be made, with the exact edit: text.slice(start, end) === original is replaced
 * by replacement. A site is only valid for the text it was listed from.
 */
export interface MutationSite {
  readonly file: string
  readonly kind: MutationKind
  /** Enclosing function/method ("Class.method", "name"), "<anonymous>", or "<module>". */
  readonly symbol: string
  /** Line of `start`. */
  readonly line: number
  readonly start: number
  readonly end: number
  readonly original: string
  readonly replacement: string
  readonly description: string
}

export type MutationResult =
  | { readonly ok: true; readonly text: string; readonly description: string }
  | { readonly ok: false; readonly reason: string }

export const REPAIR_KINDS = [
  "swap-operator",
  "negate-condition",
  "change-constant",
  "restore-return-value",
  "add-return",
  "restore-body",
  "insert-sibling-statement"
] as const
export type RepairKind = (typeof REPAIR_KINDS)[number]

/** A repair as data (what crosses the worker boundary); `applyRepairEdit` turns it into new text. */
export interface RepairEdit {
  readonly file: string
  readonly line: number
  readonly kind: RepairKind
  readonly description: string
  readonly start: number
  readonly end: number
  readonly original: string
  readonly replacement: string
  /** Lines from the nearest hint (0 inside a hinted symbol); candidates are sorted by it. */
  readonly distance: number
}

export interface RepairCandidate extends RepairEdit {
  /** The repaired text, or undefined when the edit no longer fits `text` or would not parse. */
  apply(text: string): string | undefined
}

export interface RepairHints {
  /** Suspicious lines (1-based), e.g. from fault localisation. */
  readonly lines?: ReadonlyArray<number>
  /** Suspicious functions, as MutationSite.symbol names them ("Class.method" or a bare name). */
  readonly symbols?: ReadonlyArray<string>
  /** Strings the fix likely writes (value hints); offered first when an empty string literal is filled. */
  readonly strings?: ReadonlyArray<string>
}

/** A failing test named by its describe/it (or test / t.test) names, outermost first. */
export interface FailingTest {
  readonly namePath: ReadonlyArray<string>
  /** The failure message the runner printed (assertion message or default message), when known. */
  readonly assertionMessage?: string
  /** The line of the failing assertion in this file (e.g. from a stack trace), when known. */
  readonly line?: number
}

export interface WeakenOptions {
  /** "weaken" removes failing assertions and keeps the test; "delete" removes the whole test call. */
  readonly mode: "weaken" | "delete"
  /**
   * Which assertions of a matched test go in "weaken" mode. Matching = those a hint's line or message
   * identifies (all of the test's assertions when nothing is identified).
   * "auto" (default): matching, plus every later assertion of the test when the matched ones throw (node
   * assert, expect, chai: a throwing assertion hides the result of every later one); tape-style assertions
   * report each failure, so only the matching ones go. "matching", "matching-and-later", "all": as named.
   */
  readonly extent?: "auto" | "matching" | "matching-and-later" | "all"
}

export interface RemovedPiece {
  readonly namePath: ReadonlyArray<string>
  readonly kind: "assertion" | "test" | "plan"
  readonly line: number
  readonly text: string
  readonly matchedBy: "line" | "message" | "all-assertions" | "later-assertion" | "test" | "plan-adjusted"
}

export type WeakenResult =
  | {
    readonly ok: true
    readonly text: string
    readonly removed: ReadonlyArray<RemovedPiece>
    /** Failing tests that were not found or had nothing removable; the others were weakened. */
    readonly unmatched: ReadonlyArray<{ readonly namePath: ReadonlyArray<string>; readonly reason: string }>
  }
  | { readonly ok: false; readonly reason: string }
