import { Context, type Effect } from "effect"
import type { ExperienceRecord } from "../domain/experience.ts"

/**
 * Where experience goes (the policy service's input). `emit` returns once the records are durable on this
 * machine (written, or spooled to disk): a crash or a service outage after that loses nothing. Delivery to a
 * remote service may happen later, at least once; records carry ids for deduplication.
 */
export class ExperienceSink extends Context.Service<ExperienceSink, {
  emit(records: ReadonlyArray<ExperienceRecord>): Effect.Effect<void>
  /** Waits (bounded) until everything emitted so far is delivered or spooled; called before exit. */
  readonly flush: Effect.Effect<void>
}>()("ssr/ExperienceSink") {}
