import { Effect } from "effect"
import * as z from "zod"
import { ExperienceRecord } from "../domain/experience.ts"

/**
 * Checks records against the published schema before they leave the engine. A record that does not match
 * is an engine bug (the trainer would reject it): a defect, never silently dropped.
 */
export const validateRecords = (records: ReadonlyArray<unknown>): Effect.Effect<Array<ExperienceRecord>> =>
  Effect.suspend(() => {
    const valid: Array<ExperienceRecord> = []
    for (const record of records) {
      const parsed = ExperienceRecord.safeParse(record)
      if (!parsed.success) {
        const id = typeof record === "object" && record !== null && "id" in record ? String(record.id) : "?"
        return Effect.die(new Error(`experience record ${id} does not match ExperienceRecord:\n${z.prettifyError(parsed.error)}`))
      }
      valid.push(parsed.data)
    }
    return Effect.succeed(valid)
  })

export const toJsonLines = (records: ReadonlyArray<ExperienceRecord>): string => records.map((r) => JSON.stringify(r) + "\n").join("")
