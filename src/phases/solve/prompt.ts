/**
 * The solver's only task description (GAME.md §5): a fixed template around the REVERSED test weakening. The
 * solver is not told the test script, the parser or the list of oracle test files.
 */
export const solverPrompt = (reversedWeakening: string, repoDir = "/repo"): string =>
  [
    `The repository in ${repoDir} is a software project. The following changes to its tests are being made:`,
    "",
    "```diff",
    reversedWeakening.trimEnd(),
    "```",
    "",
    "With these test changes, the current code fails the tests. Fix the code so that the changed tests pass,",
    "and keep the project's other relevant tests passing. Change the code, not the tests: test files are",
    "restored to their reference version before your work is judged. When you are done, submit.",
    ""
  ].join("\n")
