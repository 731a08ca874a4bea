export { parseDiff, type DiffProblem, type FileChange, type FilePatch, type ParseResult } from "./parse.ts"
export {
  classifyFile,
  DEFAULT_TEST_GLOBS,
  makeFileClassifier,
  touchedFiles,
  type FileKind,
  type TestFileRules
} from "./files.ts"
export {
  diffHash,
  joinDiffs,
  normaliseDiff,
  reverseDiff,
  splitByFile,
  splitHunks,
  type DiffHashResult,
  type DiffTextResult,
  type SplitResult
} from "./transform.ts"
