import { randomUUID } from "node:crypto"
import { promises as fs } from "node:fs"
import { join } from "node:path"
import { Clock, Effect } from "effect"
import { ExperienceRecord } from "../domain/experience.ts"
import { fsyncDirectory, writeFileAtomic } from "./durable.ts"
import { toJsonLines } from "./records.ts"

/**
 * Records waiting for the policy service, on disk: one JSONL file per spooled batch, named so that names
 * sort in spooling order. A file appears complete or not at all (atomic write) and is deleted only after
 * the service acknowledged it. Batches the service rejects for good move to `rejected/` for inspection.
 */
export interface Spool {
  readonly dir: string
  put(records: ReadonlyArray<ExperienceRecord>): Effect.Effect<void>
  /** Names of the spooled batches, oldest first. */
  readonly pending: Effect.Effect<Array<string>>
  /** The batch's records; a file that cannot be decoded is moved to rejected/ and reads as []. */
  read(name: string): Effect.Effect<Array<ExperienceRecord>>
  remove(names: ReadonlyArray<string>): Effect.Effect<void>
  reject(names: ReadonlyArray<string>, reason: string): Effect.Effect<void>
}

const REJECTED = "rejected"
const isBatchName = (name: string) => name.endsWith(".jsonl") && !name.startsWith(".")

export const makeSpool = (dir: string): Effect.Effect<Spool> =>
  Effect.gen(function*() {
    yield* Effect.promise(async () => {
      await fs.mkdir(join(dir, REJECTED), { recursive: true })
      // Temp files of writes a crash interrupted were never acknowledged to emit's caller.
      for (const name of await fs.readdir(dir)) if (name.startsWith(".tmp-")) await fs.rm(join(dir, name), { force: true })
    })
    let sequence = 0

    const put = (records: ReadonlyArray<ExperienceRecord>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        sequence += 1
        const name = `${String(now).padStart(15, "0")}-${String(sequence).padStart(9, "0")}-${randomUUID().slice(0, 8)}.jsonl`
        yield* Effect.promise(() => writeFileAtomic(join(dir, name), toJsonLines(records)))
      })

    const pending = Effect.promise(async () => (await fs.readdir(dir)).filter(isBatchName).sort())

    const reject = (names: ReadonlyArray<string>, reason: string) =>
      Effect.promise(async () => {
        for (const name of names) {
          await fs.rename(join(dir, name), join(dir, REJECTED, name)).catch(() => undefined)
          await fs.writeFile(join(dir, REJECTED, `${name}.reason.txt`), reason + "\n")
        }
        await fsyncDirectory(dir)
      }).pipe(Effect.andThen(Effect.logError(`policy service rejected spooled experience ${names.join(", ")}: ${reason}`)))

    const read = (name: string) =>
      Effect.promise(() => fs.readFile(join(dir, name), "utf8").catch(() => "")).pipe(
        Effect.flatMap((text) => {
          const records: Array<ExperienceRecord> = []
          for (const line of text.split("\n")) {
            if (line.trim().length === 0) continue
            let json: unknown
            try {
              json = JSON.parse(line)
            } catch {
              return reject([name], "spool file is not valid JSONL").pipe(Effect.as([]))
            }
            const parsed = ExperienceRecord.safeParse(json)
            if (!parsed.success) return reject([name], "spool file holds a record that is not an ExperienceRecord").pipe(Effect.as([]))
            records.push(parsed.data)
          }
          return Effect.succeed(records)
        })
      )

    const remove = (names: ReadonlyArray<string>) =>
      Effect.promise(async () => {
        for (const name of names) await fs.rm(join(dir, name), { force: true })
        await fsyncDirectory(dir)
      })

    return { dir, put, pending, read, remove, reject }
  })
