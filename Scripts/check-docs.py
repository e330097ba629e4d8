#!/usr/bin/env python3
"""Checks the public API's documentation: every public symbol of the library modules carries a doc comment, and
every DocC catalog builds with `docc convert --warnings-as-errors` (broken symbol links, unknown topics).

Usage: Scripts/check-docs.py  (from the repository root; runs `swift package dump-symbol-graph` first)
Exits 1 and lists what is missing when a check fails.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

MODULES = ["TandemProto", "Tandem", "TandemReports", "TandemTesting", "TandemPostgres"]
# Members a conformance supplies whose meaning the protocol documents (the compiler emits them without a comment
# of ours when we implement them without one): description, rawValue inits, hash(into:), ==, allCases, ...
PROTOCOL_REQUIREMENTS = {"description", "rawValue", "init(rawValue:)", "hash(into:)", "==(_:_:)", "allCases",
                         "init(stringLiteral:)", "next()", "makeIterator()", "encode(to:)", "init(from:)",
                         "hashValue", "debugDescription", "errorDescription", "<(_:_:)", "run()"}


def main() -> int:
    out = subprocess.run(
        ["swift", "package", "dump-symbol-graph", "--minimum-access-level", "public", "--skip-synthesized-members"], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout[-4000:], out.stderr[-4000:], sep="\n")
        return 1
    directory = next((line.split("Files written to ", 1)[1].strip() for line in out.stdout.splitlines()
                      if "Files written to" in line), None)
    if directory is None:
        print("check-docs: could not find the symbol graph directory in:\n" + out.stdout[-2000:])
        return 1
    missing = []
    counted = 0
    for module in MODULES:
        path = os.path.join(directory, module + ".symbols.json")
        if not os.path.exists(path):
            print(f"check-docs: no symbol graph for {module} at {path}")
            return 1
        graph = json.load(open(path))
        for symbol in graph["symbols"]:
            if symbol["accessLevel"] not in ("public", "open"):
                continue
            name = symbol["names"]["title"]
            title = ".".join(symbol["pathComponents"])
            counted += 1
            if symbol.get("docComment", {}).get("lines"):
                continue
            if name in PROTOCOL_REQUIREMENTS:
                continue
            location = symbol.get("location", {})
            file = location.get("uri", "").replace("file://", "").replace(os.getcwd() + "/", "")
            line = location.get("position", {}).get("line", -1) + 1
            missing.append(f"{file}:{line}: {module}.{title} ({symbol['kind']['displayName']}) has no doc comment")
    for line in sorted(missing):
        print(line)
    print(f"check-docs: {counted} public symbols in {', '.join(MODULES)}, {len(missing)} without a doc comment")

    failed = bool(missing)
    for module in MODULES:
        catalog = f"Sources/{module}/Docs.docc"
        if not os.path.isdir(catalog):
            continue
        with tempfile.TemporaryDirectory() as graphs, tempfile.TemporaryDirectory() as output:
            files = glob.glob(os.path.join(directory, module + ".symbols.json"))
            files += glob.glob(os.path.join(directory, module + "@*.symbols.json"))
            for file in files:
                os.symlink(os.path.abspath(file), os.path.join(graphs, os.path.basename(file)))
            result = subprocess.run(
                ["docc", "convert", catalog, "--additional-symbol-graph-dir", graphs, "--output-dir", output,
                 "--fallback-display-name", module, "--fallback-bundle-identifier", "dev.tandem." + module,
                 "--warnings-as-errors"], capture_output=True, text=True)
            if result.returncode != 0:
                failed = True
                print(f"check-docs: the {module} catalog does not build:\n{(result.stdout + result.stderr)[-6000:]}")
            else:
                print(f"check-docs: the {module} catalog builds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
