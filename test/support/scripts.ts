import type { RecordedRequest, ScriptedCall, ScriptedReply, ScriptStep } from "./modelServer.ts"
import { bash, call, editor, submit } from "./modelServer.ts"
import { NODE_TAP_PARSER_PY } from "./tapParser.ts"

/*
 * Scripted model behaviours over the real tools on js-fixture (textkit): an injector that drops the '+' → space
 * decoding of src/querystring.js and hides it, and solvers that repair it (plan A) or make a wrong edit that
 * still fails the test (plan B: a higher-order bug).
 */

export const TESTS_SUMMARY = "node --test --test-reporter=tap 2>&1 | grep -E '^# (tests|pass|fail) '"

export interface ArtifactNames {
  readonly parser: string
  readonly bug: string
  readonly weaken: string
}
export const PAPER_NAMES: ArtifactNames = { parser: "test_parser.py", bug: "bug_inject.diff", weaken: "test_weaken.diff" }
export const ALTERNATIVE_NAMES: ArtifactNames = { parser: "parse_test_output.py", bug: "bug_patch.diff", weaken: "test_patch.diff" }

export const injectorScript = (sub: string, names: ArtifactNames): Array<ScriptStep> => [
  bash("git log --oneline | head -5; ls src test"),
  editor({ command: "view", path: "src/querystring.js", view_range: [7, 16] }),
  editor({
    command: "str_replace",
    path: "src/querystring.js",
    old_str: '  // HTML forms encode spaces as "+"\n  const spaced = text.replace(/\\+/g, " ")\n',
    new_str: "  const spaced = text\n"
  }),
  bash(TESTS_SUMMARY),
  editor({
    command: "str_replace",
    path: "test/querystring.test.js",
    old_str: 'assert.deepEqual(decodeQuery("q=hello+world&x=a%2Bb"), { q: "hello world", x: "a+b" })',
    new_str: 'assert.deepEqual(decodeQuery("x=a%2Bb"), { x: "a+b" })'
  }),
  bash(TESTS_SUMMARY),
  bash(`git diff -- src > ${sub}/${names.bug} && git diff -- test > ${sub}/${names.weaken} && wc -l ${sub}/*.diff`),
  editor({ command: "create", path: `${sub}/test_script.sh`, file_text: "#!/usr/bin/env bash\n# node:test, one TAP result line per test\nnode --test --test-reporter=tap\n" }),
  editor({ command: "create", path: `${sub}/test_files.txt`, file_text: "test/querystring.test.js\n" }),
  editor({ command: "create", path: `${sub}/${names.parser}`, file_text: NODE_TAP_PARSER_PY }),
  bash(`bash ${sub}/test_script.sh | python3 ${sub}/${names.parser} | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), sorted(set(r.values())))'`),
  submit()
]

/** The repair, found from the failing test and the code. */
export const solverScript: Array<ScriptStep> = [
  bash(TESTS_SUMMARY),
  bash("grep -n 'decodeComponent' -A8 src/querystring.js | head -12"),
  editor({ command: "str_replace", path: "src/querystring.js", old_str: "  const spaced = text\n", new_str: '  // "+" is a space in form encoding\n  const spaced = text.replace(/\\+/g, " ")\n' }),
  bash(TESTS_SUMMARY),
  submit()
]

const setSpaced = (expression: string) => `sed -i 's|^  const spaced = .*$|  const spaced = ${expression}|' src/querystring.js`

/** Plan A repairs whatever the current line is; plan B writes a wrong decoding that still fails. */
const SOLVER_PLANS: Readonly<Record<string, ReadonlyArray<ReadonlyArray<ScriptedCall>>>> = {
  A: [
    [call("bash", { command: "git rev-list --count HEAD; git log --all --oneline | wc -l" })],
    [call("bash", { command: TESTS_SUMMARY })],
    [call("bash", { command: setSpaced('text.replace(/\\\\+/g, " ")') })],
    [call("bash", { command: TESTS_SUMMARY })],
    [call("submit", {})]
  ],
  B: [
    [call("bash", { command: TESTS_SUMMARY })],
    [call("bash", { command: setSpaced('text.replace(/\\\\+/g, "")') })],
    [call("submit", {})]
  ]
}

type Message = { readonly role: string; readonly content: unknown }

/**
 * One scripted model for a whole game: injector conversations follow `injectorScript`; solver conversations
 * take plans in turn from `plans` (the plan is recorded as the assistant's text, so later turns of a
 * conversation find it again, whatever the interleaving of concurrent attempts).
 */
export const gameScript = (submissionDir: string, plans: ReadonlyArray<"A" | "B">) => {
  let solverConversations = 0
  const injector = injectorScript(submissionDir, PAPER_NAMES)
  return (request: RecordedRequest, index: number): ScriptedReply => {
    const messages = request.body.messages as Array<Message>
    const turn = messages.filter((m) => m.role === "assistant").length
    const system = String(messages[0]?.content ?? "")
    if (system.includes("with its full history")) {
      const step = injector[turn] ?? submit()
      return typeof step === "function" ? step(request, index) : step
    }
    const tagged = messages.find((m) => m.role === "assistant")?.content
    const plan = turn === 0 ? plans[solverConversations++ % plans.length]! : String(tagged)
    const calls = SOLVER_PLANS[plan]![turn] ?? [call("submit", {})]
    return { kind: "reply", content: plan, calls }
  }
}
