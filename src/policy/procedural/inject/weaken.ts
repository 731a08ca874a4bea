import { Effect } from "effect"
import { WorkerPool } from "../../../pool/WorkerPool.ts"
import { restoreFiles } from "../../../sandbox/repoOps.ts"
import type { Sandbox } from "../../../sandbox/Sandbox.ts"
import type { FailingTest } from "../ast/types.ts"
import { baseId, type FailureRecord, readFailures } from "../failureOutput.ts"
import { makeRandom } from "../random.ts"
import { writeRepoTexts } from "../sandboxFiles.ts"
import { runSuite, type SuiteProgram } from "../suite.ts"
import type { EpisodeRecorder } from "../trajectory.ts"
import { replaceWithPass } from "./passReplace.ts"

/*
 * Hides the bug (GAME.md §3 check 6): some failing tests, chosen with the seed, lose their failing assertions,
 * and a run with bug + weakening must show at least one of F passing again (a deleted test is missing).
 */

export interface WeakenTarget {
  readonly id: string
  readonly file: string
  readonly failing: FailingTest
  /** tape-style: the id names one assertion (its description is the id's last part). */
  readonly assertionPoint: boolean
}

const quotedIn = (text: string, name: string): boolean =>
  [`'${name}'`, `"${name}"`, `\`${name}\``].some((q) => text.includes(q)) ||
  [`'${name.replace(/'/g, "\\'")}'`, `"${name.replace(/"/g, "\\\"")}"`].some((q) => text.includes(q))

/** Maps failing ids to their test file and to what weakenTests needs (name path, message, assertion line). */
export const mapFailingTests = (
  failing: ReadonlyArray<string>,
  records: ReadonlyArray<FailureRecord>,
  testTexts: ReadonlyMap<string, string>
): Array<WeakenTarget> =>
  failing.flatMap((id): Array<WeakenTarget> => {
    // Same run, same walk: a failing id of the TAP report has its record under the same id.
    const record = records.find((r) => r.id === id)
    const path = record?.path ?? baseId(id).split(" > ")
    const assertionPoint = record?.assertionPoints ?? false
    const testName = (assertionPoint ? path[path.length - 2] : path[path.length - 1]) ?? ""
    const inTests = (file: string | undefined) => (file !== undefined && testTexts.has(file) ? file : undefined)
    const file = inTests(record?.declaredAt?.file) ??
      inTests(record?.frames.find((f) => testTexts.has(f.file))?.file) ??
      [...testTexts].find(([, text]) => testName !== "" && quotedIn(text, testName))?.[0]
    if (file === undefined) return []
    const line = record?.frames.find((f) => f.file === file)?.line
    const namePath = assertionPoint ? path.slice(0, -1) : path
    const message = assertionPoint ? path[path.length - 1] : record?.message
    return [{
      id,
      file,
      assertionPoint,
      failing: {
        namePath: namePath.length > 0 ? namePath : [testName],
        ...(message === undefined ? {} : { assertionMessage: message }),
        ...(line === undefined ? {} : { line })
      }
    }]
  })

export interface WeakenInput {
  readonly sandbox: Sandbox
  readonly program: SuiteProgram
  readonly timeoutMs: number
  readonly failing: ReadonlyArray<string>
  readonly bugOutput: string
  readonly testTexts: ReadonlyMap<string, string>
  readonly seed: number
  readonly recorder: EpisodeRecorder
}

export type WeakenOutcome =
  | { readonly ok: true; readonly files: ReadonlyArray<string>; readonly weakened: ReadonlyArray<string>; readonly passingAgain: ReadonlyArray<string> }
  | { readonly ok: false; readonly reason: string }

/** Most failing tests weakened in one go (the reversed weakening is the solver's whole task description). */
const MAX_WEAKENED = 8

type Plan = { readonly label: string; readonly targets: ReadonlyArray<WeakenTarget>; readonly mode: "weaken" | "pass" }

const weakenedTexts = (plan: Plan, testTexts: ReadonlyMap<string, string>) =>
  Effect.gen(function*() {
    const byFile = new Map<string, Array<WeakenTarget>>()
    for (const t of plan.targets) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t])
    const texts = new Map<string, string>()
    if (plan.mode === "pass") {
      for (const [file, targets] of byFile) {
        const replaced = replaceWithPass(testTexts.get(file) ?? "", targets.flatMap((t) =>
          t.failing.line === undefined ? [] : [{ line: t.failing.line, description: baseId(t.id).split(" > ").pop() ?? "" }]
        ))
        if (replaced !== undefined) texts.set(file, replaced)
      }
      return texts
    }
    const pool = yield* WorkerPool
    const output = yield* pool.run("weakenTests", {
      items: [...byFile].map(([file, targets]) => ({
        file: { path: file, text: testTexts.get(file) ?? "" },
        failing: targets.map((t) => t.failing),
        options: { mode: "weaken" as const }
      }))
    })
    for (const { path, result } of output.results) if (result.ok) texts.set(path, result.text)
    return texts
  })

export const weakenFailingTests = Effect.fn("weakenFailingTests")(function*(input: WeakenInput) {
  const { sandbox, program, recorder } = input
  const records = readFailures(input.bugOutput, sandbox.repoDir)
  const targets = mapFailingTests(input.failing, records, input.testTexts)
  yield* recorder.step("map-failing-tests", {
    failing: input.failing.length,
    mapped: targets.length,
    files: [...new Set(targets.map((t) => t.file))]
  })
  if (targets.length === 0) return { ok: false, reason: "no failing test could be found in the test files" } satisfies WeakenOutcome
  const random = makeRandom(`${input.seed}:weaken`)
  const order = random.shuffle(targets)
  const some = order.slice(0, 1 + random.int(Math.min(order.length, MAX_WEAKENED)))
  const plans: Array<Plan> = [
    { label: "some", targets: some, mode: "weaken" },
    ...(some.length < order.length ? [{ label: "more", targets: order.slice(0, MAX_WEAKENED), mode: "weaken" as const }] : []),
    ...(some.some((t) => t.assertionPoint) ? [{ label: "pass", targets: some.filter((t) => t.assertionPoint), mode: "pass" as const }] : [])
  ]
  for (const plan of plans) {
    const texts = yield* weakenedTexts(plan, input.testTexts)
    if (texts.size === 0) {
      yield* recorder.step("weaken", { plan: plan.label, tests: plan.targets.map((t) => t.id), rejected: "nothing to weaken" })
      continue
    }
    yield* writeRepoTexts(sandbox, texts)
    const run = yield* runSuite(sandbox, program, { timeoutMs: input.timeoutMs })
    const passingAgain = input.failing.filter((id) => run.report[id] === "passed")
    yield* recorder.step("weaken", {
      plan: plan.label,
      tests: plan.targets.map((t) => t.id),
      files: [...texts.keys()],
      passingAgain: passingAgain.length
    })
    if (passingAgain.length > 0) {
      return { ok: true, files: [...texts.keys()].sort(), weakened: plan.targets.map((t) => t.id), passingAgain } satisfies WeakenOutcome
    }
    yield* restoreFiles(sandbox, [...texts.keys()])
  }
  return { ok: false, reason: "no weakening made a failing test pass again" } satisfies WeakenOutcome
})
