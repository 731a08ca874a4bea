import { BugTaskRecord, EpisodeRecord } from "../../src/domain/experience.ts"

/** A schema-valid episode record (parsed, so a factory that drifts from the schema fails loudly). */
export const episodeRecord = (id: string, policyVersion = "ckpt-10", extra: Partial<EpisodeRecord> = {}): EpisodeRecord =>
  EpisodeRecord.parse({
    schemaVersion: 1,
    kind: "episode",
    id,
    runId: "run-1",
    role: "solver",
    groupId: "bug-1/1",
    bugId: "bug-1",
    repo: "js-fixture",
    policyVersion,
    stale: false,
    reward: 1,
    status: "submitted",
    messages: [
      { role: "system", content: "s" },
      { role: "user", content: "u" },
      { role: "assistant", content: "", toolCalls: [{ id: "c", name: "submit", arguments: "{}" }], tokens: { promptIds: [1, 2], completionIds: [3], completionLogprobs: [-0.5] } }
    ],
    createdAt: "2026-11-21T00:00:00.000Z",
    ...extra
  })

export const bugRecord = (id: string, policyVersion = "ckpt-10"): BugTaskRecord =>
  BugTaskRecord.parse({
    schemaVersion: 1,
    kind: "bug",
    id,
    runId: "run-1",
    repo: "js-fixture",
    rev: "e4baef246752f5a56f3baef6e7bea819181f0e40",
    order: 2,
    parent: "bug-1",
    strategy: "higher-order",
    policyVersion,
    files: { testScript: "s", testFiles: ["test/a.js"], testParser: "p", bugInjectDiff: "d", testWeakenDiff: "w", extraLayers: ["x"] },
    solveRate: null,
    createdAt: "2026-11-21T00:00:00.000Z"
  })
