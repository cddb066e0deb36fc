#!/usr/bin/python3
"""The one Terraform rule the real tool cannot check: each module's README documents it without
drift. A reusable module's README has an inputs table (| Name | Type | Default | Description |)
with one row per variable, giving its type and default as written in the .tf file, and an outputs
table (| Name | Description |) with one row per output, and no rows for things that no longer
exist. A root configuration's README (one with a provider block) names each of its variables.

    readme_check.py [--fixtures DIR] MODULE_DIR...

The .tf files are read in the canonical layout `terraform fmt -check` enforces (a separate ctest
runs it): blocks open at column 0, their attributes are indented by two spaces.
--fixtures DIR proves the check can fail: every subdirectory of DIR is a module with a stale
README and an EXPECT file (one text per line) that the check must report.
"""
import pathlib
import re
import sys

BLOCK = re.compile(r'^(variable|output|provider) "([^"]+)" \{\n(.*?)^\}', re.M | re.S)


def whole_type(body, first_line):
    """A type constraint that spans lines (list(object({ ... }))) as one line, its attributes
    separated by ", ", the way the README's table shows it."""
    if first_line.count("(") + first_line.count("{") == first_line.count(")") + first_line.count("}"):
        return first_line
    text = body[body.index(first_line):]
    depth, end = 0, 0
    for i, c in enumerate(text):
        depth += c in "({"
        depth -= c in ")}"
        if depth == 0 and c in ")}":
            end = i + 1
            break
    inner = [part.strip() for part in text[:end].split("\n")]
    joined = inner[0]
    for part in inner[1:]:
        joined += ("" if joined.endswith(("(", "{")) or part.startswith((")", "}")) else ", ") + part
    return re.sub(r"\s+=\s+", " = ", joined)


def load(directory):
    module = {"variables": {}, "outputs": set(), "root": False}
    for tf in sorted(pathlib.Path(directory).glob("*.tf")):
        for kind, name, body in BLOCK.findall(tf.read_text()):
            if kind == "provider":
                module["root"] = True
            elif kind == "output":
                module["outputs"].add(name)
            else:
                attrs = dict(re.findall(r"^  (type|default)\s*=\s*(.+)$", body, re.M))
                if "type" in attrs:
                    attrs["type"] = whole_type(body, attrs["type"])
                module["variables"][name] = attrs
    return module


def table_rows(markdown, header):
    rows, lines = [], markdown.split("\n")
    for i, line in enumerate(lines):
        if line.strip() != header:
            continue
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
            rows.append((re.sub(r"^`(.*)`$", r"\1", cells[0]), cells))
    return rows


def check(directory):
    module, readme = load(directory), pathlib.Path(directory) / "README.md"
    if not readme.exists():
        return [f"{readme} does not exist"]
    text, problems = readme.read_text(), []
    if module["root"]:
        return [f"{readme} does not mention the variable {n}"
                for n in module["variables"] if n not in text]
    inputs = table_rows(text, "| Name | Type | Default | Description |")
    outputs = table_rows(text, "| Name | Description |")
    if not inputs:
        problems.append(f"{readme} has no inputs table (| Name | Type | Default | Description |)")
    if not outputs:
        problems.append(f"{readme} has no outputs table (| Name | Description |)")
    rows = dict(inputs)
    for name, attrs in module["variables"].items():
        if name not in rows:
            problems.append(f'{readme}: the inputs table has no row for variable "{name}"')
            continue
        want_type = f"`{attrs.get('type', '')}`"
        want_default = f"`{attrs['default']}`" if "default" in attrs else "required"
        if rows[name][1] != want_type:
            problems.append(f'{readme}: variable "{name}" has type {want_type}, '
                            f"the table says {rows[name][1]}")
        if rows[name][2] != want_default:
            problems.append(f'{readme}: variable "{name}" defaults to {want_default}, '
                            f"the table says {rows[name][2]}")
    problems += [f'{readme}: the inputs table lists "{n}", which is not a variable'
                 for n, _ in inputs if n not in module["variables"]]
    documented = {n for n, _ in outputs}
    problems += [f'{readme}: the outputs table has no row for output "{o}"'
                 for o in sorted(module["outputs"] - documented)]
    problems += [f'{readme}: the outputs table lists "{n}", which is not an output'
                 for n in sorted(documented - module["outputs"])]
    return problems


def main(args):
    fixtures = None
    if args[:1] == ["--fixtures"]:
        fixtures, args = args[1], args[2:]
    failed = False
    for directory in args:
        for problem in check(directory):
            print(f"readme: {problem}", file=sys.stderr)
            failed = True
    for case in sorted(pathlib.Path(fixtures).iterdir()) if fixtures else []:
        problems = check(case)
        for want in filter(None, (case / "EXPECT").read_text().split("\n")):
            if not any(want in p for p in problems):
                print(f"readme: fixture {case.name} was not caught: no problem contains {want!r}",
                      file=sys.stderr)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
