/**
 * One test run in ONE sandbox exec (each exec costs a namespace or a Docker exec): a bash driver applies the
 * state's diffs, restores files, optionally records the code state, runs test_script.sh (stdout+stderr merged,
 * streamed to the engine, which caps it) piped into the parser, which starts with the script.
 *
 * The driver's own stderr is a status channel, closed to the script and the parser (fd 3 is not inherited):
 *   SSR-SETUP <what>\n<git's message>            a diff did not apply / a file could not be restored; then exit
 *   SSR-SETUP-DONE\n                             the state is ready: the script's time limit starts here
 *   SSR-SCRIPT-END <exit code> <ms>\n            the script finished: the engine extends the deadline by the
 *                                                parser's timeout from here (SCRIPT_END_MARKER)
 *   SSR-PARSER-END <exit code> <ms>\n<base64 of the parser's stderr tail>\n<the parser's stdout>
 * A run killed by the engine (timeout, output cap) has no SCRIPT-END or PARSER-END: the engine then parses
 * the captured output in a separate exec.
 */
export const SETUP_DONE_MARKER = "SSR-SETUP-DONE\n"
export const SCRIPT_END_MARKER = "SSR-SCRIPT-END "

export const driverScript = [
  "set -u",
  'W="$SSR_WORK"',
  "exec 3>&2 2>/dev/null",
  'fail() { printf "SSR-SETUP %s\\n" "$1" >&3; printf "%s" "$2" | tail -c 4000 >&3; exit 0; }',
  'for f in "$W"/layers/*.diff; do',
  '  [ -e "$f" ] || break',
  '  err=$(git apply --whitespace=nowarn "$f" 2>&1 3>&-) || fail "layer $(basename "$f" .diff)" "$err"',
  "done",
  'if [ -s "$W/restore" ]; then',
  "  while IFS= read -r -d '' f; do",
  '    if git cat-file -e "HEAD:$f" 2>/dev/null 3>&-; then',
  '      err=$(git checkout --quiet HEAD -- "$f" 2>&1 3>&-) || fail "restore $f" "$err"',
  '    else rm -f -- "$f"; fi',
  '  done < "$W/restore"',
  "fi",
  'if [ -e "$W/capture-state" ]; then',
  '  { git add --all && git diff --cached --binary --no-color --no-ext-diff HEAD > "$W/state.diff" && git reset --quiet; } 3>&- || fail "capture state" ""',
  "fi",
  'printf "SSR-SETUP-DONE\\n" >&3',
  // The parser starts with the script and reads its output as it comes, like `script | parser`: its start-up
  // overlaps the tests. tee -p keeps writing the output (file, engine) if the parser stops reading.
  'rm -f "$W/pipe"; mkfifo "$W/pipe"',
  'python3 "$W/test_parser.py" < "$W/pipe" > "$W/parsed" 2> "$W/parser.err" 3>&- &',
  "parser=$!",
  "t0=${EPOCHREALTIME//[!0-9]/}",
  'bash "$W/test_script.sh" 2>&1 3>&- </dev/null | tee -p "$W/output" "$W/pipe" 3>&-',
  "code=${PIPESTATUS[0]}",
  "t1=${EPOCHREALTIME//[!0-9]/}",
  'printf "SSR-SCRIPT-END %s %s\\n" "$code" "$(( (t1 - t0) / 1000 ))" >&3',
  // The parser's time limit counts from the script's end; a killed parser exits 137 (as under `timeout -s KILL`).
  '( trap \'kill "$s" 2>/dev/null; exit 0\' TERM; sleep "$SSR_PARSER_TIMEOUT" & s=$!; wait "$s"; kill -KILL "$parser" 2>/dev/null ) 3>&- &',
  "watchdog=$!",
  'wait "$parser"',
  "pcode=$?",
  'kill "$watchdog" 2>/dev/null',
  "t2=${EPOCHREALTIME//[!0-9]/}",
  '{ printf "SSR-PARSER-END %s %s\\n" "$pcode" "$(( (t2 - t1) / 1000 ))"; [ -s "$W/parser.err" ] && tail -c 2000 "$W/parser.err" | base64 -w0; printf "\\n"; cat "$W/parsed"; } >&3',
  ""
].join("\n")

export type DriverStatus =
  | { readonly kind: "setup-failed"; readonly what: string; readonly message: string }
  | { readonly kind: "script-only"; readonly scriptExit: number; readonly scriptMs: number }
  | {
    readonly kind: "complete"
    readonly scriptExit: number
    readonly scriptMs: number
    readonly parserExit: number
    readonly parserMs: number
    readonly parserStderr: string
    readonly parserStdout: string
  }
  | { readonly kind: "interrupted" }

/** Decodes the driver's status channel (the exec's stderr). Pure; tested on real driver output. */
export const parseDriverStatus = (stderr: string): DriverStatus => {
  if (stderr.startsWith("SSR-SETUP ")) {
    const newline = stderr.indexOf("\n")
    const what = stderr.slice("SSR-SETUP ".length, newline < 0 ? undefined : newline)
    return { kind: "setup-failed", what, message: newline < 0 ? "" : stderr.slice(newline + 1) }
  }
  const body = stderr.startsWith(SETUP_DONE_MARKER) ? stderr.slice(SETUP_DONE_MARKER.length) : stderr
  const script = /^SSR-SCRIPT-END (-?\d+) (\d+)\n/.exec(body)
  if (script === null) return { kind: "interrupted" }
  const scriptExit = Number(script[1])
  const scriptMs = Number(script[2])
  const rest = body.slice(script[0].length)
  const parser = /^SSR-PARSER-END (-?\d+) (\d+)\n([A-Za-z0-9+/=]*)\n/.exec(rest)
  if (parser === null) return { kind: "script-only", scriptExit, scriptMs }
  return {
    kind: "complete",
    scriptExit,
    scriptMs,
    parserExit: Number(parser[1]),
    parserMs: Number(parser[2]),
    parserStderr: Buffer.from(parser[3]!, "base64").toString("utf8"),
    parserStdout: rest.slice(parser[0].length)
  }
}
