import { availableParallelism } from "node:os"
import { Context, Effect, Layer, Schema } from "effect"
import { Piscina } from "piscina"
import type { MutationKind, MutationSite, SourceText } from "../policy/procedural/ast/types.ts"
import { type AstTaskInput, type AstTaskName, type AstTaskOutput, astTasks, type ListSitesOutput } from "./workers/ast.worker.ts"

/** A worker task failed: the task threw, the worker died, or the pool is gone. Interruption is not an error. */
export class WorkerTaskError extends Schema.TaggedError<WorkerTaskError>()("WorkerTaskError", {
  message: Schema.String,
  task: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export interface WorkerPoolShape {
  /** "threads": piscina worker threads; "inline": the same functions on the calling thread. */
  readonly mode: "threads" | "inline"
  /** How many tasks run at once (use as the concurrency of Effect.forEach over batches). */
  readonly threads: number
  /**
   * Runs one named task of ast.worker.ts. Interrupting the fiber aborts the task (a busy worker is terminated
   * and replaced by piscina). Inputs/outputs are structured-cloned in "threads" mode.
   */
  run<K extends AstTaskName>(task: K, input: AstTaskInput<K>): Effect.Effect<AstTaskOutput<K>, WorkerTaskError>
}

export interface WorkerPoolOptions {
  /** Default max(1, availableParallelism() - 1): leave one core to the main thread and the sandboxes. */
  readonly maxThreads?: number
  /** Idle workers exit after this long (default 30 s); the pool itself lives as long as the layer's scope. */
  readonly idleTimeoutMs?: number
}

export const defaultThreadCount = (): number => Math.max(1, availableParallelism() - 1)

// From source (Node 22 strips types) the worker is ast.worker.ts; after a tsc build it is ast.worker.js.
const workerExtension = import.meta.url.endsWith(".ts") ? ".ts" : ".js"
const workerUrl = new URL(`./workers/ast.worker${workerExtension}`, import.meta.url)

const messageOf = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

const runInline = <K extends AstTaskName>(task: K, input: AstTaskInput<K>): Effect.Effect<AstTaskOutput<K>, WorkerTaskError> =>
  Effect.try({
    try: () => (astTasks[task] as (input: AstTaskInput<K>) => AstTaskOutput<K>)(input),
    catch: (cause) => new WorkerTaskError({ message: messageOf(cause), task, cause })
  })

export class WorkerPool extends Context.Service<WorkerPool, WorkerPoolShape>()("ssr/WorkerPool") {
  /** A piscina pool over ast.worker.ts, destroyed when the layer's scope closes. */
  static readonly layerWith = (options: WorkerPoolOptions = {}): Layer.Layer<WorkerPool> =>
    Layer.effect(
      WorkerPool,
      Effect.gen(function*() {
        const threads = Math.max(1, Math.floor(options.maxThreads ?? defaultThreadCount()))
        const pool = yield* Effect.acquireRelease(
          Effect.sync(() =>
            new Piscina({
              filename: workerUrl.href,
              minThreads: 1,
              maxThreads: threads,
              idleTimeout: options.idleTimeoutMs ?? 30_000
            })
          ),
          (p) => Effect.promise(() => p.destroy())
        )
        const run = <K extends AstTaskName>(task: K, input: AstTaskInput<K>): Effect.Effect<AstTaskOutput<K>, WorkerTaskError> =>
          Effect.tryPromise({
            try: (signal) => pool.run(input, { name: task, signal }) as Promise<AstTaskOutput<K>>,
            catch: (cause) => new WorkerTaskError({ message: messageOf(cause), task, cause })
          })
        return WorkerPool.of({ mode: "threads", threads, run })
      })
    )

  /** Sized max(1, availableParallelism() - 1). */
  static readonly layer: Layer.Layer<WorkerPool> = WorkerPool.layerWith()

  /** The same tasks on the calling thread: for tests and one-core machines. */
  static readonly layerInline: Layer.Layer<WorkerPool> = Layer.succeed(WorkerPool, { mode: "inline", threads: 1, run: runInline })
}

/**
 * Splits files into batches of roughly `targetBatchChars` source characters (at least two per thread when there
 * are enough files, so threads stay busy) keeping input order inside each batch.
 */
export const batchByChars = <A extends { readonly text: string }>(
  items: ReadonlyArray<A>,
  threads: number,
  targetBatchChars = 500_000
): Array<Array<A>> => {
  if (items.length === 0) return []
  const total = items.reduce((sum, item) => sum + item.text.length, 0)
  const count = Math.min(items.length, Math.max(threads * 2, Math.ceil(total / targetBatchChars)))
  const perBatch = total / count
  const batches: Array<Array<A>> = [[]]
  let filled = 0
  for (const item of items) {
    const current = batches[batches.length - 1] as Array<A>
    if (current.length > 0 && filled + item.text.length / 2 > perBatch && batches.length < count) {
      batches.push([item])
      filled = item.text.length
    } else {
      current.push(item)
      filled += item.text.length
    }
  }
  return batches
}

export interface ListSitesAcrossOptions {
  readonly kinds: ReadonlyArray<MutationKind>
  readonly targetBatchChars?: number
}

/** listSites over many files: batched, run with the pool's concurrency, merged. */
export const listSitesAcross = (
  files: ReadonlyArray<SourceText & { readonly exercisedLines?: ReadonlyArray<number> }>,
  options: ListSitesAcrossOptions
): Effect.Effect<ListSitesOutput, WorkerTaskError, WorkerPool> =>
  Effect.gen(function*() {
    const pool = yield* WorkerPool
    const batches = batchByChars(files, pool.threads, options.targetBatchChars)
    const outputs = yield* Effect.forEach(batches, (batch) => pool.run("listSites", { files: batch, kinds: options.kinds }), {
      concurrency: pool.threads
    })
    const sitesByFile: Record<string, ReadonlyArray<MutationSite>> = {}
    const failures: Array<{ readonly path: string; readonly message: string }> = []
    for (const output of outputs) {
      Object.assign(sitesByFile, output.sitesByFile)
      failures.push(...output.failures)
    }
    return { sitesByFile, failures }
  })
