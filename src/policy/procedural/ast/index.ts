/* The procedural policy's AST core: pure functions over source text (no Effect, no I/O). */
export { applyRepairEdit, toRepairCandidate } from "./edits.ts"
export { applyMutation, applyMutations, chooseMutations, type ChooseOptions, groupSitesByFile, type SitesByFile } from "./mutate.ts"
export { listRepairCandidates, listRepairEdits, type RepairOptions } from "./repairs.ts"
export { listMutationSites, type ListSitesOptions } from "./sites.ts"
export { classifySource, detectIndentUnit, type SourceClass, syntaxErrors } from "./source.ts"
export * from "./types.ts"
export { matchTests, weakenTests } from "./weaken.ts"
