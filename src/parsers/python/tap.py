#!/usr/bin/env python3
"""TAP 13/14 test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged) on stdin and prints one JSON object
{"<test id>": "passed" | "failed"}.

- Nested subtests (indented test points, children before their parent, as `node --test --test-reporter=tap`
  prints them) get ids "parent > child". Only leaves are reported; a parent is reported only when it is
  `not ok` and none of its reported descendants failed.
- Without any `# Subtest:` header the stream is read as flat tape-style TAP: a top-level `# name` comment
  names the group of the following test points ("<group> > <assertion>"); `TAP version` resets the group.
- Test points of a truncated run whose parent never came get their ancestors from `# Subtest:` headers.
- `# SKIP` -> absent; `# TODO` -> passed if ok, absent if not ok. Everything else is ignored.
- Names are unescaped (\\# -> #, \\\\ -> \\); a repeated id gets " #2", " #3"... in order of appearance.
"""
import json
import re
import sys

ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
TEST_POINT = re.compile(r"^( *)(not ok|ok)(?![^ \t])(.*)$", re.DOTALL)
TEST_NUMBER = re.compile(r"^[ \t]+([0-9]+)(?![^ \t])")
DESCRIPTION_DASH = re.compile(r"^[ \t]*(?:-(?=[ \t]|$))?[ \t]*")
DIRECTIVE = re.compile(r"^[ \t]*(skip(?:ped)?|todo)(?![A-Za-z])", re.IGNORECASE | re.ASCII)
SUBTEST_HEADER = re.compile(r"^( *)# Subtest:(.*)$", re.DOTALL)
GROUP_COMMENT = re.compile(r"^#(.*)$", re.DOTALL)
YAML_START = re.compile(r"^( +)---[ \t]*$")
YAML_END = re.compile(r"^ *\.\.\.[ \t]*$")
TAP_VERSION = re.compile(r"^TAP version ", re.IGNORECASE | re.ASCII)
TAP_ESCAPE = re.compile(r"\\([\\#])")


def trim_ascii(text):
    return text.strip(" \t\r\n")


def split_lines(text):
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


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


def unescape_tap(text):
    return TAP_ESCAPE.sub(r"\1", text)


def leading_spaces(line):
    return len(line) - len(line.lstrip(" "))


def split_directive(text):
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "#":
            match = DIRECTIVE.match(text[i + 1:])
            if match:
                return text[:i], ("todo" if match.group(1).lower() == "todo" else "skip")
        i += 1
    return text, None


class TestPoint:
    def __init__(self, indent, ok, directive, name, header_names, group):
        self.indent = indent
        self.ok = ok
        self.directive = directive
        self.name = name
        self.header_names = header_names
        self.group = group
        self.children = []
        self.path = []
        self.reported = None


def read_test_point(match, headers, group):
    indent = len(match.group(1))
    rest = match.group(3)
    number = TEST_NUMBER.match(rest)
    if number:
        rest = rest[number.end():]
    rest = DESCRIPTION_DASH.sub("", rest, count=1)
    description, directive = split_directive(rest)
    name = unescape_tap(trim_ascii(description))
    if not name:
        name = number.group(1) if number else ""
    header_names = [headers[k] for k in sorted(headers) if k < indent]
    return TestPoint(indent, match.group(2) == "ok", directive, name, header_names, group)


def verdict(point):
    if point.directive == "skip":
        return None
    if point.directive == "todo":
        return "passed" if point.ok else None
    return "passed" if point.ok else "failed"


def decide(point):
    descendant_failed = False
    for child in point.children:
        descendant_failed = decide(child) or descendant_failed
    own = verdict(point)
    if not point.children or (own == "failed" and not descendant_failed):
        point.reported = own
    return descendant_failed or point.reported == "failed"


def assign_paths(point, owner_path):
    if owner_path is None:
        prefix = ([] if point.group is None else [point.group]) + point.header_names
    else:
        prefix = owner_path
    point.path = prefix + [point.name]
    for child in point.children:
        assign_paths(child, point.path)


def parse(output):
    lines = split_lines(ANSI_ESCAPE.sub("", output))
    flat_groups = not any(SUBTEST_HEADER.match(line) for line in lines)
    points = []
    unowned = []
    headers = {}
    group = None
    yaml_indent = None
    last_point_indent = None

    for line in lines:
        if yaml_indent is not None:
            if not trim_ascii(line):
                continue
            indent = leading_spaces(line)
            if indent > yaml_indent:
                continue
            if indent == yaml_indent:
                if YAML_END.match(line):
                    yaml_indent = None
                continue
            yaml_indent = None
        point_match = TEST_POINT.match(line)
        if point_match:
            point = read_test_point(point_match, headers, group if flat_groups else None)
            while unowned and unowned[-1].indent > point.indent:
                point.children.append(unowned.pop())
            point.children.reverse()
            unowned.append(point)
            points.append(point)
            last_point_indent = point.indent
            continue
        yaml = YAML_START.match(line)
        if yaml and last_point_indent is not None and len(yaml.group(1)) > last_point_indent:
            yaml_indent = len(yaml.group(1))
            continue
        header = SUBTEST_HEADER.match(line)
        if header:
            indent = len(header.group(1))
            for known in [k for k in headers if k > indent]:
                del headers[known]
            headers[indent] = unescape_tap(trim_ascii(header.group(2)))
            continue
        if TAP_VERSION.match(line):
            group = None
            continue
        comment = GROUP_COMMENT.match(line)
        if comment and flat_groups:
            group = trim_ascii(comment.group(1))

    for root in unowned:
        assign_paths(root, None)
        decide(root)
    ids = unique_ids([" > ".join(p.path) for p in points])
    result = {}
    for point, test_id in zip(points, ids):
        if point.reported is not None:
            result[test_id] = point.reported
    return result


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
