import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { DatabaseSync, SQLInputValue } from "node:sqlite"
import { Effect, Layer } from "effect"
import { type AttemptRow, BankError, BugBank, type BugQuery, type BugRow, type EpisodeRow, type RoundRow, type RunRow } from "./BugBank.ts"

/*
 * The embedded bank: one SQLite file (WAL, synchronous=FULL: a committed write survives kill -9 and power
 * loss). A server database would implement the same BugBank port.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, config TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (
  run_id TEXT NOT NULL, round INTEGER NOT NULL, repo TEXT NOT NULL, strategy TEXT NOT NULL, seed INTEGER NOT NULL,
  status TEXT NOT NULL, bug_id TEXT, PRIMARY KEY (run_id, round));
CREATE TABLE IF NOT EXISTS bugs (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL, repo TEXT NOT NULL, rev TEXT NOT NULL, strategy TEXT NOT NULL,
  policy_name TEXT NOT NULL, policy_version TEXT NOT NULL, seed INTEGER NOT NULL, parent TEXT, ord INTEGER NOT NULL,
  dir TEXT NOT NULL, normalised_hash TEXT NOT NULL, created_at TEXT NOT NULL, valid INTEGER, first_failed_check TEXT,
  checks TEXT NOT NULL, failing_tests TEXT NOT NULL, baseline_tests TEXT NOT NULL, duplicate_of TEXT,
  attempts INTEGER NOT NULL, successes INTEGER NOT NULL, solve_rate REAL, band TEXT, injector_reward REAL);
CREATE INDEX IF NOT EXISTS bugs_hash ON bugs (normalised_hash);
CREATE INDEX IF NOT EXISTS bugs_repo ON bugs (repo, strategy, ord);
CREATE TABLE IF NOT EXISTS attempts (
  bug_id TEXT NOT NULL, idx INTEGER NOT NULL, seed INTEGER NOT NULL, policy_version TEXT NOT NULL,
  success INTEGER NOT NULL, reward REAL NOT NULL, patch TEXT NOT NULL, failed_tests TEXT NOT NULL,
  missing_tests TEXT NOT NULL, state_hash TEXT, episode_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (bug_id, idx));
CREATE TABLE IF NOT EXISTS episodes (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL, round INTEGER NOT NULL, role TEXT NOT NULL, bug_id TEXT,
  group_id TEXT NOT NULL, policy_version TEXT NOT NULL, reward REAL, status TEXT NOT NULL,
  trajectory_path TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS episodes_run ON episodes (run_id, round);
`

type Row = Record<string, SQLInputValue>

const json = (value: unknown) => JSON.stringify(value)
const parse = <A>(text: unknown): A => JSON.parse(String(text)) as A
const bool = (value: unknown): boolean | null => (value === null ? null : Number(value) === 1)

const toBug = (r: Row): BugRow => ({
  id: String(r["id"]),
  runId: String(r["run_id"]),
  repo: String(r["repo"]),
  rev: String(r["rev"]),
  strategy: String(r["strategy"]),
  policyName: String(r["policy_name"]),
  policyVersion: String(r["policy_version"]),
  seed: Number(r["seed"]),
  parent: r["parent"] === null ? null : String(r["parent"]),
  order: Number(r["ord"]),
  dir: String(r["dir"]),
  normalisedHash: String(r["normalised_hash"]),
  createdAt: String(r["created_at"]),
  valid: bool(r["valid"]),
  firstFailedCheck: r["first_failed_check"] === null ? null : String(r["first_failed_check"]),
  checks: parse(r["checks"]),
  failingTests: parse(r["failing_tests"]),
  baselineTests: parse(r["baseline_tests"]),
  duplicateOf: r["duplicate_of"] === null ? null : String(r["duplicate_of"]),
  attempts: Number(r["attempts"]),
  successes: Number(r["successes"]),
  solveRate: r["solve_rate"] === null ? null : Number(r["solve_rate"]),
  band: r["band"] === null ? null : (String(r["band"]) as BugRow["band"]),
  injectorReward: r["injector_reward"] === null ? null : Number(r["injector_reward"])
})

const toAttempt = (r: Row): AttemptRow => ({
  bugId: String(r["bug_id"]),
  index: Number(r["idx"]),
  seed: Number(r["seed"]),
  policyVersion: String(r["policy_version"]),
  success: Number(r["success"]) === 1,
  reward: Number(r["reward"]),
  patch: String(r["patch"]),
  failedTests: parse(r["failed_tests"]),
  missingTests: parse(r["missing_tests"]),
  stateHash: r["state_hash"] === null ? null : String(r["state_hash"]),
  episodeId: String(r["episode_id"]),
  createdAt: String(r["created_at"])
})

const toEpisode = (r: Row): EpisodeRow => ({
  id: String(r["id"]),
  runId: String(r["run_id"]),
  round: Number(r["round"]),
  role: String(r["role"]) as EpisodeRow["role"],
  bugId: r["bug_id"] === null ? null : String(r["bug_id"]),
  groupId: String(r["group_id"]),
  policyVersion: String(r["policy_version"]),
  reward: r["reward"] === null ? null : Number(r["reward"]),
  status: String(r["status"]),
  trajectoryPath: String(r["trajectory_path"]),
  emitted: Number(r["emitted"]) === 1,
  createdAt: String(r["created_at"])
})

const toRound = (r: Row): RoundRow => ({
  runId: String(r["run_id"]),
  round: Number(r["round"]),
  repo: String(r["repo"]),
  strategy: String(r["strategy"]),
  seed: Number(r["seed"]),
  status: String(r["status"]) as RoundRow["status"],
  bugId: r["bug_id"] === null ? null : String(r["bug_id"])
})

export const openSqliteBank = (file: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        // Loaded on first use: importing node:sqlite prints an ExperimentalWarning (see quietWarnings.ts).
        const { DatabaseSync } = await import("node:sqlite")
        mkdirSync(dirname(file), { recursive: true })
        const db = new DatabaseSync(file)
        db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;")
        db.exec(SCHEMA)
        return db
      },
      catch: (cause) => new BankError({ message: `cannot open bug bank ${file}: ${String(cause)}`, cause })
    }),
    (db) => Effect.sync(() => db.close())
  ).pipe(Effect.map((db) => makeBank(db, file)))

const makeBank = (db: DatabaseSync, location: string) => {
  const run = <A>(what: string, f: () => A) =>
    Effect.try({ try: f, catch: (cause) => new BankError({ message: `bug bank: ${what}: ${String(cause)}`, cause }) })
  const all = (sql: string, ...params: Array<SQLInputValue>) => db.prepare(sql).all(...params) as Array<Row>
  const one = (sql: string, ...params: Array<SQLInputValue>) => db.prepare(sql).get(...params) as Row | undefined

  return BugBank.of({
    location,
    putRun: (r: RunRow) =>
      run("put run", () => db.prepare("INSERT INTO runs (id, config, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config").run(r.id, r.config, r.createdAt)),
    getRun: (id) =>
      run("get run", () => {
        const r = one("SELECT * FROM runs WHERE id = ?", id)
        return r === undefined ? undefined : { id: String(r["id"]), config: String(r["config"]), createdAt: String(r["created_at"]) }
      }),
    latestRun: run("latest run", () => {
      const r = one("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1")
      return r === undefined ? undefined : { id: String(r["id"]), config: String(r["config"]), createdAt: String(r["created_at"]) }
    }),
    putRound: (r: RoundRow) =>
      run("put round", () =>
        db.prepare(`INSERT INTO rounds (run_id, round, repo, strategy, seed, status, bug_id) VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (run_id, round) DO UPDATE SET status = excluded.status, bug_id = excluded.bug_id`).run(r.runId, r.round, r.repo, r.strategy, r.seed, r.status, r.bugId)),
    rounds: (runId) => run("rounds", () => all("SELECT * FROM rounds WHERE run_id = ? ORDER BY round", runId).map(toRound)),
    putBug: (b: BugRow) =>
      run("put bug", () =>
        db.prepare(`INSERT INTO bugs (id, run_id, repo, rev, strategy, policy_name, policy_version, seed, parent, ord, dir,
            normalised_hash, created_at, valid, first_failed_check, checks, failing_tests, baseline_tests, duplicate_of,
            attempts, successes, solve_rate, band, injector_reward)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET valid = excluded.valid, first_failed_check = excluded.first_failed_check,
            checks = excluded.checks, failing_tests = excluded.failing_tests, baseline_tests = excluded.baseline_tests,
            duplicate_of = excluded.duplicate_of, attempts = excluded.attempts, successes = excluded.successes,
            solve_rate = excluded.solve_rate, band = excluded.band, injector_reward = excluded.injector_reward`).run(
          b.id, b.runId, b.repo, b.rev, b.strategy, b.policyName, b.policyVersion, b.seed, b.parent, b.order, b.dir,
          b.normalisedHash, b.createdAt, b.valid === null ? null : b.valid ? 1 : 0, b.firstFailedCheck, json(b.checks),
          json(b.failingTests), json(b.baselineTests), b.duplicateOf, b.attempts, b.successes, b.solveRate, b.band, b.injectorReward
        )),
    getBug: (id) => run("get bug", () => {
      const r = one("SELECT * FROM bugs WHERE id = ?", id)
      return r === undefined ? undefined : toBug(r)
    }),
    findByHash: (hash) => run("find bug", () => {
      const r = one("SELECT * FROM bugs WHERE normalised_hash = ? AND valid = 1 AND duplicate_of IS NULL ORDER BY created_at, rowid LIMIT 1", hash)
      return r === undefined ? undefined : toBug(r)
    }),
    queryBugs: (q: BugQuery) =>
      run("query bugs", () => {
        const where: Array<string> = []
        const params: Array<SQLInputValue> = []
        const add = (clause: string, value: SQLInputValue) => {
          where.push(clause)
          params.push(value)
        }
        if (q.runId !== undefined) add("run_id = ?", q.runId)
        if (q.repo !== undefined) add("repo = ?", q.repo)
        if (q.strategy !== undefined) add("strategy = ?", q.strategy)
        if (q.order !== undefined) add("ord = ?", q.order)
        if (q.band !== undefined) add("band = ?", q.band)
        if (q.valid !== undefined) add("valid = ?", q.valid ? 1 : 0)
        if (q.solveRate !== undefined) {
          add("solve_rate >= ?", q.solveRate[0])
          add("solve_rate <= ?", q.solveRate[1])
        }
        const sql = `SELECT * FROM bugs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, rowid`
        return all(sql, ...params).map(toBug)
      }),
    putAttempt: (a: AttemptRow) =>
      run("put attempt", () =>
        db.prepare(`INSERT INTO attempts (bug_id, idx, seed, policy_version, success, reward, patch, failed_tests, missing_tests, state_hash, episode_id, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bug_id, idx) DO NOTHING`).run(
          a.bugId, a.index, a.seed, a.policyVersion, a.success ? 1 : 0, a.reward, a.patch, json(a.failedTests), json(a.missingTests), a.stateHash, a.episodeId, a.createdAt
        )),
    attempts: (bugId) => run("attempts", () => all("SELECT * FROM attempts WHERE bug_id = ? ORDER BY idx", bugId).map(toAttempt)),
    putEpisode: (e: EpisodeRow) =>
      run("put episode", () =>
        db.prepare(`INSERT INTO episodes (id, run_id, round, role, bug_id, group_id, policy_version, reward, status, trajectory_path, emitted, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET reward = excluded.reward, status = excluded.status, bug_id = excluded.bug_id,
            emitted = MAX(episodes.emitted, excluded.emitted)`).run(
          e.id, e.runId, e.round, e.role, e.bugId, e.groupId, e.policyVersion, e.reward, e.status, e.trajectoryPath, e.emitted ? 1 : 0, e.createdAt
        )),
    episodes: (runId) => run("episodes", () => all("SELECT * FROM episodes WHERE run_id = ? ORDER BY round, created_at, id", runId).map(toEpisode)),
    markEmitted: (ids) =>
      run("mark emitted", () => {
        const stmt = db.prepare("UPDATE episodes SET emitted = 1 WHERE id = ?")
        db.exec("BEGIN")
        try {
          for (const id of ids) stmt.run(id)
          db.exec("COMMIT")
        } catch (e) {
          db.exec("ROLLBACK")
          throw e
        }
      })
  })
}

export const SqliteBank = {
  layer: (file: string) => Layer.effect(BugBank, openSqliteBank(file))
}
