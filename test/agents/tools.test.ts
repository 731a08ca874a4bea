import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { resolveCall } from "../../src/agents/loop.ts"
import { truncateMiddle } from "../../src/agents/observation.ts"
import { bashTool } from "../../src/agents/tools/bash.ts"
import { editorTool } from "../../src/agents/tools/editor.ts"
import { submitTool } from "../../src/agents/tools/submit.ts"
import { fixtureSandbox, readText, runTool, sandboxLayer } from "../support/agents.ts"

layer(sandboxLayer, { timeout: 600_000, excludeTestServices: true })("agent tools on a real sandbox (js-fixture)", (it) => {
  it.effect("bash runs one command from the repo root and reports the exit code and stderr", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const ok = yield* runTool(bashTool, { command: "pwd; ls src | head -3" }, sandbox)
      assert.isFalse(ok.isError)
      assert.include(ok.output, `${sandbox.repoDir}\ncsv.js`)
      assert.include(ok.output, "[exit code 0]")
      const failing = yield* runTool(bashTool, { command: "echo to-err >&2; exit 3" }, sandbox)
      assert.isTrue(failing.isError)
      assert.include(failing.output, "[stderr]\nto-err")
      assert.include(failing.output, "[exit code 3]")
    }))

  it.effect("bash output past the limit is cut in the middle with a notice of how much was cut", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const out = yield* runTool(bashTool, { command: "seq 1 5000" }, sandbox, { maxObservationChars: 2_000 })
      assert.include(out.output, "\n1\n2\n".slice(1))
      assert.include(out.output, "5000\n[exit code 0]")
      assert.match(out.output, /\[… [\d,]+ characters \([\d,]+ lines\) of 23,892 cut from the middle/)
      assert.isBelow(out.output.length, 2_400)
    }))

  it.effect("bash: the per-call timeout kills the command and says so", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const out = yield* runTool(bashTool, { command: "echo started; sleep 30" }, sandbox, { timeoutMs: 1_000 })
      assert.isTrue(out.isError)
      assert.include(out.output, "started")
      assert.include(out.output, "timed out after 1 s")
    }), { timeout: 60_000 })

  it.effect("editor view: line numbers, ranges, directories, missing files", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const whole = yield* runTool(editorTool, { command: "view", path: "src/querystring.js" }, sandbox)
      assert.include(whole.output, "     1\t// URL query-string encoding")
      const range = yield* runTool(editorTool, { command: "view", path: "src/querystring.js", view_range: [7, 9] }, sandbox)
      assert.strictEqual(range.output.split("\n").length, 4)
      assert.include(range.output, "(lines 7-9 of")
      assert.include(range.output, "     7\tfunction decodeComponent(text) {")
      const toEnd = yield* runTool(editorTool, { command: "view", path: `${sandbox.repoDir}/src/querystring.js`, view_range: [60, -1] }, sandbox)
      assert.include(toEnd.output, "(lines 60-")
      const bad = yield* runTool(editorTool, { command: "view", path: "src/querystring.js", view_range: [900, 901] }, sandbox)
      assert.isTrue(bad.isError)
      const dir = yield* runTool(editorTool, { command: "view", path: "test" }, sandbox)
      assert.include(dir.output, `${sandbox.repoDir}/test/csv.test.js`)
      const missing = yield* runTool(editorTool, { command: "view", path: "src/nope.js" }, sandbox)
      assert.isTrue(missing.isError)
      assert.include(missing.output, "does not exist")
    }))

  it.effect("editor str_replace: exactly one match edits; none or several tell the model how many", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const none = yield* runTool(editorTool, { command: "str_replace", path: "src/querystring.js", old_str: "no such text" }, sandbox)
      assert.isTrue(none.isError)
      assert.include(none.output, "does not occur verbatim")
      const several = yield* runTool(editorTool, { command: "str_replace", path: "src/querystring.js", old_str: "spaced", new_str: "x" }, sandbox)
      assert.isTrue(several.isError)
      assert.include(several.output, "occurs 3 times")
      assert.match(several.output, /at lines \d+, \d+, \d+/)
      const one = yield* runTool(editorTool, {
        command: "str_replace",
        path: "src/querystring.js",
        old_str: 'const spaced = text.replace(/\\+/g, " ")',
        new_str: "const spaced = text /* $& stays literal */"
      }, sandbox)
      assert.isFalse(one.isError, one.output)
      assert.include(one.output, "const spaced = text /* $& stays literal */")
      const text = yield* readText(sandbox, `${sandbox.repoDir}/src/querystring.js`)
      assert.include(text, "const spaced = text /* $& stays literal */\n")
      assert.notInclude(text, "text.replace(/\\+/g")
    }))

  it.effect("editor create and insert, outside the repo too; bad paths are told, not crashes", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* fixtureSandbox()
      const file = `${sandbox.workDir}/submission/notes.txt`
      const created = yield* runTool(editorTool, { command: "create", path: file, file_text: "a\nb\n" }, sandbox)
      assert.isFalse(created.isError, created.output)
      yield* runTool(editorTool, { command: "insert", path: file, insert_line: 0, new_str: "top" }, sandbox)
      yield* runTool(editorTool, { command: "insert", path: file, insert_line: 3, new_str: "end\n" }, sandbox)
      yield* runTool(editorTool, { command: "insert", path: file, insert_line: 1, new_str: "x\ny" }, sandbox)
      assert.strictEqual(yield* readText(sandbox, file), "top\nx\ny\na\nb\nend\n")
      const past = yield* runTool(editorTool, { command: "insert", path: file, insert_line: 99, new_str: "z" }, sandbox)
      assert.isTrue(past.isError)
      assert.include(past.output, "has 6 lines")
      const outside = yield* runTool(editorTool, { command: "create", path: "/etc/evil", file_text: "x" }, sandbox)
      assert.isTrue(outside.isError)
      assert.include(outside.output, "Cannot access /etc/evil")
    }))

  it.effect("arguments are validated by the tool's zod schema, per command", () =>
    Effect.sync(() => {
      const check = (args: unknown) => resolveCall({ id: "1", name: "editor", arguments: JSON.stringify(args) }, [editorTool])
      const noOld = check({ command: "str_replace", path: "a.js" })
      assert.isFalse(noOld.ok)
      if (!noOld.ok) assert.include(noOld.error, "str_replace needs old_str")
      const badCommand = check({ command: "delete", path: "a.js" })
      if (!badCommand.ok) assert.include(badCommand.error, "command")
      else assert.fail("accepted an unknown command")
      assert.isTrue(resolveCall({ id: "2", name: "submit", arguments: "" }, [submitTool]).ok)
      const unknown = resolveCall({ id: "3", name: "python", arguments: "{}" }, [bashTool, editorTool, submitTool])
      if (!unknown.ok) assert.include(unknown.error, 'Unknown tool "python". The available tools are: bash, editor, submit.')
    }))

  it.effect("truncateMiddle keeps short text as it is", () =>
    Effect.sync(() => {
      assert.strictEqual(truncateMiddle("short", 10), "short")
    }))
})
