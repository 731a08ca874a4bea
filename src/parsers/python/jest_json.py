#!/usr/bin/env python3
"""jest / vitest `--json` test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged) on stdin and prints one JSON object
{"<test id>": "passed" | "failed"}.

Every object with a `testResults` array in the stream counts. Id = ancestor titles and title joined with
" > " (no file: absolute paths differ between sandboxes). Within one object the files are taken sorted by
path, because jest lists them in completion order, so that " #2" suffixes of same-named tests in different
files are stable. Status "passed"/"failed" map as is; pending, skipped, todo, disabled are absent. A file
whose status is "failed" with no failed test (failed to run, or a hook failed) adds a failed id: its path
relative to the files' common directory.
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


def is_jest_report(value):
    return isinstance(value, dict) and isinstance(value.get("testResults"), list)


def string_or(value, fallback):
    return value if isinstance(value, str) else fallback


def directory_parts(path):
    return path.split("/")[:-1]


def relative_to_common_directory(path, all_paths):
    common = directory_parts(all_paths[0]) if all_paths else []
    for other in all_paths:
        parts = directory_parts(other)
        n = 0
        while n < len(common) and n < len(parts) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    relative = "/".join(path.split("/")[len(common):])
    if relative:
        return relative
    return path if path else "(test file)"


def observe(report):
    files = [item for item in report["testResults"] if isinstance(item, dict)]
    names = [string_or(file.get("name"), "") for file in files]
    order = sorted(zip(files, names), key=lambda pair: pair[1])
    observations = []
    for file, name in order:
        any_failed = False
        assertions = file.get("assertionResults")
        for assertion in assertions if isinstance(assertions, list) else []:
            if not isinstance(assertion, dict):
                continue
            ancestors = assertion.get("ancestorTitles")
            titles = [t for t in ancestors if isinstance(t, str)] if isinstance(ancestors, list) else []
            title = string_or(assertion.get("title"), string_or(assertion.get("fullName"), ""))
            status = assertion.get("status")
            status = status if status in ("passed", "failed") else None
            if status == "failed":
                any_failed = True
            observations.append((" > ".join(titles + [title]), status))
        if file.get("status") == "failed" and not any_failed:
            observations.append((relative_to_common_directory(name, names), "failed"))
    return observations


def parse(output):
    observations = []
    for report in find_json_objects(output, is_jest_report):
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
