#!/usr/bin/env python3
"""JUnit XML test-output parser (stdlib only).

Reads the raw test output (stdout and stderr merged, e.g. a runner's output followed by `cat report.xml`)
on stdin and prints one JSON object {"<test id>": "passed" | "failed"}.

Documents are cut out of the stream from a <testsuites> or <testsuite> start tag to its matching end tag.
A document that never closes (truncated run) or does not parse is searched again from inside, so its
completed inner <testsuite> elements still count. Characters XML forbids become U+FFFD and unknown entities
are escaped before parsing.

Id = enclosing <testsuite> names, the testcase's classname, its name, joined with " > ". The classname is
left out when empty, equal to the name or to the innermost suite name, or node:test's placeholder "test".
Status: <failure>/<error> -> failed; <skipped> -> absent; none -> passed; node:test todo tests
(<skipped type="todo">) -> passed, or absent when they also failed. A repeated id gets " #2", " #3"...
"""
import json
import re
import sys
import xml.etree.ElementTree as ElementTree

SUITE_TAG = re.compile(r"""<(/?)(testsuites|testsuite)(?=[ \t\r\n/>])(?:[^>"']|"[^"]*"|'[^']*')*>""")
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CHARACTER_REFERENCE = re.compile(r"&#(?:([0-9]+)|x([0-9a-fA-F]+));")
UNKNOWN_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
NODE_TEST_PLACEHOLDER_CLASSNAME = "test"
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")


def trim_ascii(text):
    return text.strip(" \t\r\n")


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


def is_xml_char(code):
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def replace_invalid_reference(match):
    decimal, hexadecimal = match.group(1), match.group(2)
    digits = decimal if decimal is not None else hexadecimal
    code = -1 if len(digits) > 8 else int(digits, 10 if decimal is not None else 16)
    return match.group(0) if is_xml_char(code) else "\ufffd"


def sanitize(document):
    document = INVALID_XML_CHARS.sub("\ufffd", document)
    document = CHARACTER_REFERENCE.sub(replace_invalid_reference, document)
    return UNKNOWN_AMPERSAND.sub("&amp;", document)


def is_ascii_name(name):
    """Names outside ASCII are refused (the TypeScript twin's validator and expat disagree on them)."""
    local = name.rsplit("}", 1)[-1] if name.startswith("{") else name
    return XML_NAME.match(local) is not None


def for_each_suite_document(text, read):
    tags = [
        {
            "start": m.start(),
            "end": m.end(),
            "closing": m.group(1) == "/",
            "self_closing": m.group(0).endswith("/>"),
            "name": m.group(2),
        }
        for m in SUITE_TAG.finditer(text)
    ]
    i = 0
    while i < len(tags):
        opening = tags[i]
        close_at = -1
        if not opening["closing"] and opening["self_closing"]:
            close_at = i
        elif not opening["closing"]:
            depth = 0
            j = i
            while j < len(tags) and close_at < 0:
                tag = tags[j]
                if tag["name"] == opening["name"] and not tag["self_closing"]:
                    depth += -1 if tag["closing"] else 1
                    if depth == 0:
                        close_at = j
                j += 1
        if close_at >= 0 and read(text[opening["start"]:tags[close_at]["end"]]):
            i = close_at + 1
        else:
            i += 1


def attribute(element, name):
    value = element.get(name)
    if not isinstance(value, str):
        return ""
    return trim_ascii(value.replace("\t", " ").replace("\n", " ").replace("\r", " "))


def kind_of(element):
    """Element name without its namespace (the TypeScript twin drops the prefix)."""
    return element.tag.rsplit("}", 1)[-1]


def case_status(testcase):
    children = list(testcase)
    failed = any(kind_of(child) in ("failure", "error") for child in children)
    skipped = [child for child in children if kind_of(child) == "skipped"]
    if any(attribute(child, "type") == "todo" for child in skipped):
        return None if failed else "passed"
    if failed:
        return "failed"
    return None if skipped else "passed"


def case_base(testcase, suites):
    name = attribute(testcase, "name")
    classname = attribute(testcase, "classname")
    keep_classname = (
        classname != ""
        and classname != name
        and (not suites or classname != suites[-1])
        and classname != NODE_TEST_PLACEHOLDER_CLASSNAME
    )
    return " > ".join(suites + ([classname] if keep_classname else []) + [name])


def observe_children(element, suites, observations):
    for child in element:
        kind = kind_of(child)
        if kind == "testcase":
            observations.append((case_base(child, suites), case_status(child)))
        elif kind == "testsuites":
            observe_children(child, suites, observations)
        elif kind == "testsuite":
            observe_suite(child, suites, observations)


def observe_suite(suite, outer, observations):
    name = attribute(suite, "name")
    observe_children(suite, outer + [name] if name else outer, observations)


def observe_document(document):
    try:
        root = ElementTree.fromstring(sanitize(document))
    except (ElementTree.ParseError, ValueError):
        return None
    for element in root.iter():
        if not is_ascii_name(element.tag) or not all(is_ascii_name(key) for key in element.attrib):
            return None
    observations = []
    if kind_of(root) == "testsuite":
        observe_suite(root, [], observations)
    else:
        observe_children(root, [], observations)
    return observations


def parse(output):
    observations = []

    def read(document):
        found = observe_document(document)
        if found is not None:
            observations.extend(found)
        return found is not None

    for_each_suite_document(output, read)
    ids = unique_ids([base for base, _ in observations])
    result = {}
    for (_, status), test_id in zip(observations, ids):
        if status is not None:
            result[test_id] = status
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
