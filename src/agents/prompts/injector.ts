import { PAPER_FILE_NAMES } from "../../domain/artifact.ts"
import type { Strategy } from "../../domain/game.ts"
import type { Thresholds } from "../../domain/validation.ts"

export interface InjectorPromptInput {
  readonly strategy: Strategy
  readonly repoDir: string
  /** Where the five files go: outside the repository, so they never show up in `git diff`. */
  readonly submissionDir: string
  readonly thresholds: Thresholds
  readonly targetFiles?: ReadonlyArray<string> | undefined
}

export const injectorSystemPrompt = (repoDir: string): string =>
  [
    `You are a software engineer working in a sandbox that holds a git repository at ${repoDir}, with its full history.`,
    "You act only through tools: `bash` runs one command per call (a fresh shell in the repository root each time),",
    "`editor` views and edits files, and `submit` hands in your work and ends the episode. Work step by step, check",
    "what your commands print, and keep outputs short. There is no network access and nobody to ask."
  ].join("\n")

const STRATEGY_BRIEFS: Readonly<Record<Strategy, string>> = {
  removal: [
    "How to make the bug: REMOVE code. Delete whole hunks or the bodies of functions that implement real behaviour",
    "(a branch handling an edge case, a normalisation step, a helper the feature relies on), in at least",
    "{minChangedFiles} source file(s). Keep the project loadable: fix imports and leave stubs where callers need a symbol, so",
    "tests fail because behaviour is missing, not because everything crashes with a syntax or import error."
  ].join("\n"),
  history: [
    "How to make the bug: USE THE HISTORY. Study past changes with `git log --oneline`, `git show <commit>`, and",
    "`git log -L <start>,<end>:<file>`; look for fixes and for commits that handled edge cases. Undo such a change in the",
    "current code (reverse-apply the code part of the commit, e.g. `git show <commit> -- <code paths> | git apply -R`),",
    "then make the minimal compatibility edits the code needs to load and run. Do not commit or rewrite history."
  ].join("\n"),
  direct: "How to make the bug: introduce a bug of your choice into the source code."
}

const artifactSection = (input: InjectorPromptInput): string => {
  const t = input.thresholds
  const n = PAPER_FILE_NAMES
  return [
    `Write these five files into ${input.submissionDir} (it exists; it is outside the repository):`,
    "",
    `1. ${n.testScript}: a bash script, run from the repository root, that runs the chosen tests and prints one`,
    "   result per test (use a verbose or machine-readable reporter). It must finish in well under 90 seconds.",
    `2. ${n.testFiles}: the test files your script relies on, one path per line, relative to the repository root.`,
    "   Before every evaluation these files are restored to their original content.",
    `3. ${n.testParser}: a Python 3 script that reads the raw output of ${n.testScript} on stdin and prints ONE JSON`,
    '   object mapping every test id to "passed" or "failed", e.g. {"suite > adds numbers": "passed"}. Exit 0.',
    `4. ${n.bugInject}: the bug, as \`git diff\` output of code files only (no test files). Example:`,
    `   \`git diff -- <code paths> > ${input.submissionDir}/${n.bugInject}\``,
    `5. ${n.testWeaken}: the test weakening, as \`git diff\` output of test files only, deleting or weakening the tests`,
    "   that would reveal the bug.",
    "",
    "Both diffs are taken against the original commit (HEAD): edit the working tree, do not commit, and do not reset",
    "or check out over your edits before writing the diffs. The two diffs must not touch the same files.",
    "",
    "Your submission is checked automatically, in this order; any failed check makes it worthless:",
    `- every path in ${n.testFiles} exists in the original repository, and every file ${n.testWeaken} touches is listed;`,
    `- on real output of ${n.testScript}, ${n.testParser} exits 0 and prints a JSON object whose values are only`,
    '  "passed" or "failed";',
    `- on the original code, the parsed results contain MORE than ${t.minPassingTests} tests and all of them pass, in two`,
    "  runs with identical results (no flaky tests);",
    `- ${n.bugInject} changes at least ${t.minChangedFiles} code file(s) and no test file; ${n.testWeaken} changes only test files;`,
    `- with ${n.bugInject} applied and the original tests, at least ${t.minFailingTests} test(s) that passed before now fail`,
    "  (a test missing from the parsed output is not a pass); call these the failing tests;",
    `- with ${n.bugInject} and ${n.testWeaken} applied, at least one of the failing tests passes again (a deleted test`,
    "  is missing, not passing, so weaken at least one test rather than deleting them all);",
    `- every code file changed by ${n.bugInject} is needed: restoring only that file, with the original tests, must make`,
    "  at least one failing test pass again.",
    "",
    "A good bug is subtle: a capable engineer who only sees the reversed test weakening should be able to find and fix",
    "it, but not trivially. Check each rule yourself before submitting (run the script, pipe it into the parser, apply",
    "and revert the diffs with `git apply` / `git apply -R`). Then call submit."
  ].join("\n")
}

/** The injector's task (the user message): the strategy, the artifact, its rules and where to write it. */
export const injectorTaskPrompt = (input: InjectorPromptInput): string => {
  const brief = STRATEGY_BRIEFS[input.strategy].replace("{minChangedFiles}", String(input.thresholds.minChangedFiles))
  const targets = input.targetFiles !== undefined && input.targetFiles.length > 0
    ? `\nPrefer to place the bug in these files: ${input.targetFiles.join(", ")}.\n`
    : ""
  return [
    `Your task: break the code of the repository at ${input.repoDir} with a bug that its tests would catch, then hide the`,
    "bug by weakening those tests, and hand in the result as a bug artifact of five files.",
    "",
    "First explore: find out how the tests are run and run them.",
    "",
    brief,
    targets,
    artifactSection(input)
  ].join("\n")
}
