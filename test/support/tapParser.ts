/**
 * A small test_parser.py for node:test's TAP reporter, as a scripted injector would write it: nested
 * "# Subtest:" blocks give ids "<suite> > <test>"; suite-level result lines are dropped; SKIP/TODO ignored.
 */
export const NODE_TAP_PARSER_PY = `#!/usr/bin/env python3
import json
import re
import sys

SUBTEST = re.compile(r"^((?:    )*)# Subtest: (.*)$")
RESULT = re.compile(r"^((?:    )*)(not ok|ok) \\d+ - (.*)$")

stack, results = [], {}
for line in sys.stdin.read().splitlines():
    m = SUBTEST.match(line)
    if m:
        depth = len(m.group(1)) // 4
        del stack[depth:]
        stack.append(m.group(2))
        continue
    m = RESULT.match(line)
    if m:
        depth = len(m.group(1)) // 4
        name = m.group(3)
        del stack[depth:]
        if re.search(r"#\\s+(SKIP|TODO)\\b", name):
            continue
        results[" > ".join(stack[:depth] + [name])] = "passed" if m.group(2) == "ok" else "failed"
parents = {k.rsplit(" > ", 1)[0] for k in results if " > " in k}
print(json.dumps({k: v for k, v in results.items() if k not in parents}, indent=1))
`
