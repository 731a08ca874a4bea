#!/usr/bin/env python3
"""`python -m unittest -v` test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged) on stdin and prints one JSON object
{"<test id>": "passed" | "failed"}.

Lines `test_x (pkg.mod.Class.test_x) ... ok` (3.11+) or `test_x (pkg.mod.Class) ... ok` (<= 3.10) both give
the id `pkg.mod.Class.test_x`; `setUpClass (pkg.mod.Class) ... ERROR` gives `pkg.mod.Class.setUpClass`. The
result may come on a later line when the test printed something or has a docstring; a line that is exactly
a result word then settles the pending test. Subtest lines (`test_x (...) (i=2) ... FAIL`) and the final
`FAIL: ...` / `ERROR: ...` / `UNEXPECTED SUCCESS: ...` headers count for their test.
ok -> passed; FAIL, ERROR, unexpected success -> failed; skipped, expected failure -> absent. Ids are
unique, so several results for one id are one test and failed wins.
"""
import json
import re
import sys

ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
TEST_LINE = re.compile(
    r"^ *([A-Za-z_][A-Za-z0-9_]*) \(([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\)(.*)$", re.DOTALL
)
SUMMARY_HEADER = re.compile(r"^(?:FAIL|ERROR|UNEXPECTED SUCCESS): ([A-Za-z_][A-Za-z0-9_]*) \(([A-Za-z_][A-Za-z0-9_.]*)\)")
DOTS = " ... "
NOT_A_RESULT = object()


def trim_ascii(text):
    return text.strip(" \t\r\n")


def split_lines(text):
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def report_with_merged_duplicates(observations):
    merged = {}
    for base, status in observations:
        if status is None:
            continue
        if status == "failed" or base not in merged:
            merged[base] = status
    return merged


def result_of(text):
    """The verdict a result text stands for (None = no verdict), or NOT_A_RESULT."""
    word = trim_ascii(text)
    if word == "ok":
        return "passed"
    if word in ("FAIL", "ERROR", "unexpected success"):
        return "failed"
    if word == "expected failure" or word == "skipped" or word.startswith("skipped "):
        return None
    return NOT_A_RESULT


def test_id(name, qualified):
    return qualified if qualified.endswith("." + name) else qualified + "." + name


def after_dots(line):
    padded = line + " "
    at = padded.rfind(DOTS)
    return None if at < 0 else padded[at + len(DOTS):]


def parse(output):
    observations = []
    pending = None
    pending_saw_dots = False
    for line in split_lines(ANSI_ESCAPE.sub("", output)):
        test = TEST_LINE.match(line)
        if test:
            pending = test_id(test.group(1), test.group(2))
            rest = after_dots(test.group(3))
            pending_saw_dots = rest is not None
            result = NOT_A_RESULT if rest is None else result_of(rest)
            if result is not NOT_A_RESULT:
                observations.append((pending, result))
                pending = None
            continue
        header = SUMMARY_HEADER.match(line)
        if header:
            observations.append((test_id(header.group(1), header.group(2)), "failed"))
            pending = None
            continue
        if pending is None:
            continue
        result = result_of(line)
        docstring_line = None if pending_saw_dots else after_dots(line)
        if result is NOT_A_RESULT and docstring_line is not None:
            result = result_of(docstring_line)
        if docstring_line is not None:
            pending_saw_dots = True
        if result is not NOT_A_RESULT:
            observations.append((pending, result))
            pending = None
    return report_with_merged_duplicates(observations)


def main():
    try:
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        result = parse(text)
    except Exception:
        result = {}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
