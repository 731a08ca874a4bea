#!/usr/bin/env python3
"""pytest test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged) on stdin and prints one JSON object
{"<test id>": "passed" | "failed"}.

Reads the `-rA` "short test summary info" lines (`PASSED <nodeid>`, `FAILED <nodeid> - msg`, ...) and,
anywhere in the stream, `-v` progress lines (`<nodeid> PASSED [ 50%]`, xdist's `[gw0] [ 50%] PASSED <nodeid>`),
so a run killed before its summary still yields the tests it finished.

Id = the pytest node id (or a module path for a collection error). PASSED -> passed; FAILED, ERROR -> failed;
XPASS -> passed (a strict XPASS is reported FAILED by pytest); XFAIL, SKIPPED -> absent. Node ids are unique,
so several lines for one id are one test and failed wins (e.g. PASSED then ERROR at teardown).
"""
import json
import re
import sys

OUTCOMES = {"PASSED": "passed", "FAILED": "failed", "ERROR": "failed", "XPASS": "passed", "XFAIL": None, "SKIPPED": None}
NODE_ID = r"[^ \t\[]+(?:\[.*?\])?"
OUTCOME = "PASSED|FAILED|ERROR|XPASS|XFAIL|SKIPPED"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
SUMMARY_LINE = re.compile(r"^(%s) (%s)(?: .*)?$" % (OUTCOME, NODE_ID), re.DOTALL)
VERBOSE_LINE = re.compile(r"^(%s) (%s)(?: \(.*\))?(?:[ \t]+\[ *[0-9]+%%\])?[ \t]*$" % (NODE_ID, OUTCOME), re.DOTALL)
XDIST_LINE = re.compile(r"^\[gw[0-9]+\] \[ *[0-9]+%%\] (%s) (%s)[ \t]*$" % (OUTCOME, NODE_ID), re.DOTALL)
SUMMARY_HEADER = re.compile(r"^=+ short test summary info =+$")
SECTION_BREAK = re.compile(r"^(?:=+|!+) ")


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


def parse(output):
    observations = []
    in_summary = False
    for line in split_lines(ANSI_ESCAPE.sub("", output)):
        if SUMMARY_HEADER.match(line):
            in_summary = True
            continue
        if in_summary:
            if SECTION_BREAK.match(line):
                in_summary = False
                continue
            summary = SUMMARY_LINE.match(line)
            if summary:
                observations.append((summary.group(2), OUTCOMES[summary.group(1)]))
            continue
        verbose = VERBOSE_LINE.match(line)
        if verbose and "::" in verbose.group(1):
            observations.append((verbose.group(1), OUTCOMES[verbose.group(2)]))
        xdist = XDIST_LINE.match(line)
        if xdist and "::" in xdist.group(2):
            observations.append((xdist.group(2), OUTCOMES[xdist.group(1)]))
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
