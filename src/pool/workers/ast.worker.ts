/*
 * Piscina worker entry for the procedural policy's AST work. Each export is one task kind, called by name
 * (`pool.run(input, { name })`). Inputs and outputs are plain structured-clonable data; every task takes a
 * batch so one task costs ≫ 1 ms (a round trip costs ~0.1 ms). The same functions run inline (layerInline).
 */
import { applyMutations as applyMutationsToFile } from "../../policy/procedural/ast/mutate.ts"
import { listRepairEdits } from "../../policy/procedural/ast/repairs.ts"
import { listMutationSites } from "../../policy/procedural/ast/sites.ts"
import type {
  FailingTest,
  MutationKind,
  MutationResult,
  MutationSite,
  RepairEdit,
  RepairHints,
  SourceText,
  WeakenOptions,
  WeakenResult
} from "../../policy/procedural/ast/types.ts"
import { weakenTests as weakenTestFile } from "../../policy/procedural/ast/weaken.ts"

export interface ListSitesTask {
  readonly files: ReadonlyArray<SourceText & { readonly exercisedLines?: ReadonlyArray<number> }>
  readonly kinds: ReadonlyArray<MutationKind>
}
export interface ListSitesOutput {
  /** Every input path is a key (files without sites map to []). */
  readonly sitesByFile: Readonly<Record<string, ReadonlyArray<MutationSite>>>
  /** Paths whose scan threw (e.g. a parser crash), with the message; their sites are []. */
  readonly failures: ReadonlyArray<{ readonly path: string; readonly message: string }>
}

export interface ApplyMutationsTask {
  readonly items: ReadonlyArray<{ readonly file: SourceText; readonly sites: ReadonlyArray<MutationSite> }>
}
export interface ApplyMutationsOutput {
  readonly results: ReadonlyArray<{ readonly path: string; readonly result: MutationResult }>
}

export interface ListRepairsTask {
  readonly items: ReadonlyArray<{ readonly file: SourceText; readonly hints: RepairHints }>
  /** Per file, at most this many (best first). */
  readonly limit?: number
}
export interface ListRepairsOutput {
  readonly results: ReadonlyArray<{ readonly path: string; readonly edits: ReadonlyArray<RepairEdit> }>
}

export interface WeakenTestsTask {
  readonly items: ReadonlyArray<{
    readonly file: SourceText
    readonly failing: ReadonlyArray<FailingTest>
    readonly options: WeakenOptions
  }>
}
export interface WeakenTestsOutput {
  readonly results: ReadonlyArray<{ readonly path: string; readonly result: WeakenResult }>
}

const messageOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

export function listSites(task: ListSitesTask): ListSitesOutput {
  const sitesByFile: Record<string, ReadonlyArray<MutationSite>> = {}
  const failures: Array<{ path: string; message: string }> = []
  for (const file of task.files) {
    try {
      sitesByFile[file.path] = listMutationSites(file, {
        kinds: task.kinds,
        ...(file.exercisedLines === undefined ? {} : { exercisedLines: new Set(file.exercisedLines) })
      })
    } catch (error) {
      sitesByFile[file.path] = []
      failures.push({ path: file.path, message: messageOf(error) })
    }
  }
  return { sitesByFile, failures }
}

export function applyMutations(task: ApplyMutationsTask): ApplyMutationsOutput {
  return {
    results: task.items.map(({ file, sites }) => {
      try {
        return { path: file.path, result: applyMutationsToFile(file, sites) }
      } catch (error) {
        return { path: file.path, result: { ok: false, reason: `crashed: ${messageOf(error)}` } }
      }
    })
  }
}

export function listRepairs(task: ListRepairsTask): ListRepairsOutput {
  return {
    results: task.items.map(({ file, hints }) => {
      try {
        return { path: file.path, edits: listRepairEdits(file, { ...hints, ...(task.limit === undefined ? {} : { limit: task.limit }) }) }
      } catch {
        return { path: file.path, edits: [] }
      }
    })
  }
}

export function weakenTests(task: WeakenTestsTask): WeakenTestsOutput {
  return {
    results: task.items.map(({ file, failing, options }) => {
      try {
        return { path: file.path, result: weakenTestFile(file, failing, options) }
      } catch (error) {
        return { path: file.path, result: { ok: false, reason: `crashed: ${messageOf(error)}` } }
      }
    })
  }
}

/** The task table: name → function. WorkerPool derives its typed `run` from it. */
export const astTasks = { listSites, applyMutations, listRepairs, weakenTests }
export type AstTasks = typeof astTasks
export type AstTaskName = keyof AstTasks
export type AstTaskInput<K extends AstTaskName> = Parameters<AstTasks[K]>[0]
export type AstTaskOutput<K extends AstTaskName> = ReturnType<AstTasks[K]>
