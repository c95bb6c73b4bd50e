#!/usr/bin/env python3
"""Fails when a function in the given folders has a body longer than --max lines.

The sources are clang-formatted (tests/layering checks that too), so a function's body opens
with a line holding only "{" and closes with the first line at the same indentation that starts
with "}"; a control statement or lambda opens its brace at the end of its own line and counts
towards the function around it, as clang-tidy's readability-function-size counts it.
"""
import argparse
import os
import re
import sys

OPENING = re.compile(r"^(\s*)\{\s*$")


def signature_before(lines, index):
    """The declaration line above a body: the nearest line naming a function."""
    for k in range(index - 1, max(index - 12, -1), -1):
        text = lines[k].strip()
        if re.search(r"[\w~>\]]\s*\(", text) and not text.startswith("//"):
            return text
    return lines[index - 1].strip() if index > 0 else ""


def function_bodies(path):
    """(first line number, body lines, declaration) of each function body in a file."""
    with open(path, encoding="utf-8", errors="replace") as source:
        lines = source.read().split("\n")
    i = 0
    while i < len(lines):
        match = OPENING.match(lines[i])
        previous = lines[i - 1].rstrip() if i > 0 else ""
        # A class, struct, enum or namespace also opens on its own line: not a function.
        is_type = re.match(r"^\s*(template\s*<.*>\s*)?(class|struct|enum|union|namespace)\b",
                           previous)
        if match and previous and not is_type and not previous.endswith(("=", ",")):
            indentation = match.group(1)
            closing = re.compile("^" + re.escape(indentation) + r"\}")
            j = i + 1
            while j < len(lines) and not closing.match(lines[j]):
                j += 1
            yield i + 1, j - i - 1, signature_before(lines, i)
            i = j
        i += 1


def self_test():
    """Checks the checker on made-up sources: 121 lines are caught, 120 lines and a class are not."""
    import tempfile

    def function(name, body_lines, indentation=""):
        body = [indentation + "    int x = 0;"] * (body_lines - 2)
        body += [indentation + "    if (x) {", indentation + "    }"]
        return [indentation + f"void {name}(int x)", indentation + "{"] + body + [indentation + "}"]

    source = ["namespace studio {", "", "class Widget", "{", "public:"]
    source += function("Widget::memberOf121", 121, "    ") + ["};", ""]
    source += function("fits120", 120) + [""] + function("tooLong121", 121)
    source += ["", "struct Table", "{"] + ["    int x;"] * 130 + ["};", "} // namespace studio"]
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as file:
        file.write("\n".join(source))
    found = {declaration.split("(")[0].split()[-1]: length
             for _, length, declaration in function_bodies(file.name)}
    os.unlink(file.name)
    expected = {"Widget::memberOf121": 121, "fits120": 120, "tooLong121": 121}
    if found != expected:
        print(f"self-test failed: found {found}, expected {expected}")
        return 1
    print("self-test passed: bodies of 120 and 121 lines measured exactly, a struct skipped.")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=120, help="longest body allowed, in lines")
    parser.add_argument("--self-test", action="store_true", help="check the checker, then stop")
    parser.add_argument("paths", nargs="*", help="folders or files to check (.cpp and .h)")
    options = parser.parse_args()
    if options.self_test:
        return self_test()
    if not options.paths:
        parser.error("name the folders to check")
    files = []
    for path in options.paths:
        if os.path.isfile(path):
            files.append(path)
            continue
        for folder, _, names in os.walk(path):
            files += [os.path.join(folder, n) for n in names if n.endswith((".cpp", ".h"))]
    too_long = []
    checked = 0
    for path in sorted(files):
        for line, length, declaration in function_bodies(path):
            checked += 1
            if length > options.max:
                too_long.append((length, path, line, declaration))
    for length, path, line, declaration in sorted(too_long, reverse=True):
        print(f"{path}:{line}: {length} lines (at most {options.max}): {declaration}")
    if too_long:
        print(f"{len(too_long)} function(s) longer than {options.max} lines: split each into "
              "named steps.")
        return 1
    print(f"{checked} functions in {len(files)} files, none longer than {options.max} lines.")
    return 0 if checked > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
