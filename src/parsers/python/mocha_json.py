#!/usr/bin/env python3
"""mocha `--reporter json` test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged) on stdin and prints one JSON object
{"<test id>": "passed" | "failed"}.

Every mocha JSON object in the stream counts (console output around it is ignored). Id = the test's
`fullTitle`. Tests are taken in the order of `tests`: a non-empty `err` -> failed, listed in `passes` ->
passed, otherwise (pending) absent. Failures not matched by a test (hook failures such as
`Suite "before each" hook for "x"`) are appended as failed. A repeated id gets " #2", " #3"...
"""
import json
import re
import sys

JSON_SPECIAL = re.compile(r'[{}"\\]')
LEADING_BLANKS = re.compile(r"^[ \t]*")
LONE_BRACE = re.compile(r"^\{[ \t\r]*$")


def unique_ids(bases):
    used = set()
    occurrences = {}
    ids = []
    for base in bases:
        n = occurrences.get(base, 0) + 1
        candidate = base if n == 1 else "%s #%d" % (base, n)
        while candidate in used:
            n += 1
            candidate = "%s #%d" % (base, n)
        occurrences[base] = n
        used.add(candidate)
        ids.append(candidate)
    return ids


def report_with_suffixed_duplicates(observations):
    ids = unique_ids([base for base, _ in observations])
    result = {}
    for (_, status), test_id in zip(observations, ids):
        if status is not None:
            result[test_id] = status
    return result


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def object_end(text, start):
    depth = 0
    in_string = False
    position = start
    while True:
        match = JSON_SPECIAL.search(text, position)
        if match is None:
            return -1
        at = match.start()
        c = text[at]
        position = at + 1
        if in_string:
            if c == "\\":
                position = at + 2
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return at


def find_json_objects(text, accept):
    found = []
    search_from = 0
    offset = 0
    for line in text.split("\n"):
        indent = LEADING_BLANKS.match(line).end()
        content = line[indent:]
        start = offset + indent
        offset += len(line) + 1
        if not (content.startswith('{"') or LONE_BRACE.match(content)) or start < search_from:
            continue
        end = object_end(text, start)
        if end < 0:
            continue
        try:
            value = json.loads(text[start:end + 1], parse_constant=reject_constant)
        except (ValueError, RecursionError):
            continue
        search_from = end + 1
        if accept(value):
            found.append(value)
    return found


def is_mocha_report(value):
    return (
        isinstance(value, dict)
        and isinstance(value.get("stats"), dict)
        and any(isinstance(value.get(key), list) for key in ("tests", "passes", "failures"))
    )


def title_of(test):
    if isinstance(test.get("fullTitle"), str):
        return test["fullTitle"]
    return test["title"] if isinstance(test.get("title"), str) else ""


def key_of(test):
    file = test.get("file")
    return title_of(test) + "\u0000" + (file if isinstance(file, str) else "")


def has_error(test):
    err = test.get("err")
    return isinstance(err, dict) and len(err) > 0


def count_keys(tests):
    counts = {}
    for test in tests:
        counts[key_of(test)] = counts.get(key_of(test), 0) + 1
    return counts


def take(counts, test):
    left = counts.get(key_of(test), 0)
    if left == 0:
        return False
    counts[key_of(test)] = left - 1
    return True


def records(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def observe(report):
    passes = records(report.get("passes"))
    failures = records(report.get("failures"))
    tests = records(report["tests"]) if isinstance(report.get("tests"), list) else passes + failures
    passes_left = count_keys(passes)
    failures_left = count_keys(failures)
    observations = []
    for test in tests:
        status = None
        if has_error(test):
            take(failures_left, test)
            status = "failed"
        elif take(passes_left, test):
            status = "passed"
        observations.append((title_of(test), status))
    for failure in failures:
        if take(failures_left, failure):
            observations.append((title_of(failure), "failed"))
    return observations


def parse(output):
    observations = []
    for report in find_json_objects(output, is_mocha_report):
        observations.extend(observe(report))
    return report_with_suffixed_duplicates(observations)


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
