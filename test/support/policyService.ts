import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import { ExperienceRecord } from "../../src/domain/experience.ts"

/*
 * A local policy service: GET /version and POST /experience ({ records }), as src/experience documents them.
 * It stores records deduplicated by id (as the real service must: delivery is at least once) and checks
 * the sink's promise that an acknowledged record is never sent again.
 */

export type PostBehaviour =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: number }
  /** Stores the batch, then answers only after `ms` (past the client's timeout: the answer is lost). */
  | { readonly kind: "slow"; readonly ms: number }

export interface PolicyService {
  readonly url: string
  /** What GET /version answers; a number is sent as a JSON number. undefined → 503. */
  version: string | number | undefined
  /** Consumed one per POST; when empty, `fallback` applies. */
  readonly behaviours: Array<PostBehaviour>
  fallback: PostBehaviour
  readonly stored: Map<string, ExperienceRecord>
  /** POST bodies seen, as lists of record ids. */
  readonly posts: Array<Array<string>>
  /** Ids whose 2xx answer reached the client. */
  readonly acknowledged: Set<string>
  /** Ids posted again after they had been acknowledged: must stay empty. */
  readonly resentAfterAck: Array<string>
  /** Records that failed the ExperienceRecord schema: must stay empty. */
  readonly invalid: Array<unknown>
}

export const policyService = (initial: { version?: string | number; fallback?: PostBehaviour } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => new Promise<{ server: Server; state: PolicyService }>((resolve) => {
      const state: PolicyService = {
        url: "",
        version: initial.version,
        behaviours: [],
        fallback: initial.fallback ?? { kind: "ok" },
        stored: new Map(),
        posts: [],
        acknowledged: new Set(),
        resentAfterAck: [],
        invalid: []
      }
      const server = createServer((req, res) => {
        let raw = ""
        req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")))
        req.on("end", () => {
          const send = (status: number, body: unknown, onDelivered?: () => void) => {
            if (res.destroyed || req.socket.destroyed) return
            res.on("finish", () => onDelivered?.())
            res.writeHead(status, { "content-type": "application/json" })
            res.end(JSON.stringify(body))
          }
          if (req.method === "GET" && req.url === "/version") {
            return state.version === undefined ? send(503, { error: "no checkpoint yet" }) : send(200, { version: state.version })
          }
          if (req.method !== "POST" || req.url !== "/experience") return send(404, { error: "no route" })
          const records = (JSON.parse(raw) as { records: Array<unknown> }).records
          const ids = records.map((r) => String((r as { id: unknown }).id))
          state.posts.push(ids)
          for (const id of ids) if (state.acknowledged.has(id)) state.resentAfterAck.push(id)
          const behaviour = state.behaviours.shift() ?? state.fallback
          const store = () => {
            for (const record of records) {
              const parsed = ExperienceRecord.safeParse(record)
              if (!parsed.success) state.invalid.push(record)
              else if (!state.stored.has(parsed.data.id)) state.stored.set(parsed.data.id, parsed.data)
            }
          }
          const ack = () => ids.forEach((id) => state.acknowledged.add(id))
          switch (behaviour.kind) {
            case "ok":
              store()
              return send(200, { accepted: ids.length }, ack)
            case "status":
              return send(behaviour.status, { error: `scripted ${behaviour.status}` })
            case "slow":
              store()
              setTimeout(() => send(200, { accepted: ids.length }, ack), behaviour.ms)
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        Object.assign(state, { url: `http://127.0.0.1:${port}` })
        resolve({ server, state })
      })
    })),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  ).pipe(Effect.map(({ state }) => state))
