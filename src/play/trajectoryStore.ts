import { promises as fs } from "node:fs"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { Trajectory } from "../domain/trajectory.ts"

/** Trajectories live as one JSON file per episode under <out>/trajectories, rewritten atomically per step. */
export const trajectoryPath = (outDir: string, episodeId: string) => join(outDir, "trajectories", `${episodeId}.json`)

export const saveTrajectory = (file: string, trajectory: Trajectory): Effect.Effect<void> =>
  Effect.promise(async () => {
    await fs.mkdir(dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    await fs.writeFile(tmp, JSON.stringify(trajectory))
    await fs.rename(tmp, file)
  }).pipe(Effect.catchCause(() => Effect.void))

export const loadTrajectory = (file: string): Effect.Effect<Trajectory | undefined> =>
  Effect.promise(async () => {
    const text = await fs.readFile(file, "utf8").catch(() => undefined)
    if (text === undefined) return undefined
    const parsed = Trajectory.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  }).pipe(Effect.catchCause(() => Effect.succeed(undefined)))
