/*
 * The procedural policy's AST core: pure, seeded functions over source text (no Effect, no I/O besides
 * ts-morph's in-memory project). Injector: listMutationSites → chooseMutations → applyMutations, then
 * weakenTests on the test files. Solver: listRepairCandidates near the suspicious lines/functions, try a seeded
 * subset. src/pool/WorkerPool.ts runs the same functions in worker threads.
 */
export { applyRepairEdit, toRepairCandidate } from "./edits.ts"
export { applyMutation, applyMutations, chooseMutations, type ChooseOptions, groupSitesByFile, type SitesByFile } from "./mutate.ts"
export { listRepairCandidates, listRepairEdits, type RepairOptions } from "./repairs.ts"
export { listMutationSites, type ListSitesOptions } from "./sites.ts"
export { classifySource, detectIndentUnit, type SourceClass, syntaxErrors } from "./source.ts"
export * from "./types.ts"
export { matchTests, weakenTests } from "./weaken.ts"
