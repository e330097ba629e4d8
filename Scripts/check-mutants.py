#!/usr/bin/env python3
"""Recall and precision of `tandem check` against buf on seeded mutants of real schemas (issue 20).

    .venv-oracle/bin/python Scripts/check-mutants.py [--count 500] [--seed 1] [--corpus googleapis|editions]
        [--tandem PATH] [--keep DIR] [--show]

Each mutant takes one file of googleapis-common-protos or of the well-known types (from the oracle virtualenv that
`.ci/run` creates, with buf-bin and googleapis-common-protos pinned there), applies one seeded edit located with
protoc's source info (a field deleted, renumbered, retyped, renamed, relabelled, moved into or out of a oneof; an
enum value deleted or renamed; a message, enum or service deleted; a message moved to another file; a method
deleted, its request type changed or its streaming flipped), and keeps it only if protoc (grpcio-tools) compiles
it. With `--corpus editions` the files are the editions files of the parser's test corpus (2023 and 2024), and the
edits also set or flip features: a field's presence, repeated encoding, UTF-8 validation or message encoding, an
enum's openness, a message's JSON format. The file and its imports before and after are two module directories; buf breaking (categories WIRE,
WIRE_JSON and FILE, in one run, split by `buf config ls-breaking-rules`) and `tandem check --v1 DIR --v2 DIR`
(policies wire, wire_json, strict, and buf_wire, buf_wire_json, buf_file, which follow buf's categories) judge each
pair.

Findings are matched per mutant by rule id (a multiset: buf's findings of a rule count against Tandem's error-level
findings of the same rule): recall = matched / buf's findings of the category; precision = matched / Tandem's
error-level findings whose rule buf puts in that category (Tandem's own rules, which buf does not have, are left
out and counted apart). Under the default policies Tandem diverges from buf on purpose (README, "Whole schemas
against buf"); the `buf_*` policies are the ones meant to agree.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from google.protobuf import descriptor_pb2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = sysconfig.get_paths()["purelib"]
WKT = os.path.join(SITE, "grpc_tools", "_proto")
BUF = os.path.join(os.path.dirname(sys.executable), "buf")
PAIRS = [("WIRE", "wire"), ("WIRE_JSON", "wire_json"), ("FILE", "strict"),
         ("WIRE", "buf_wire"), ("WIRE_JSON", "buf_wire_json"), ("FILE", "buf_file")]
# The editions files of the parser's test corpus (`--corpus editions`).
EDITIONS_ROOT = os.path.join(ROOT, "Tests", "Fixtures", "corpus", "root")
EDITIONS_FILES = ["acme/editions2023.proto", "acme/editions2024.proto"]
ROOTS = [SITE, WKT]
FEATURE_EDITS = {
    "feature_presence": ("field", ["features.field_presence = IMPLICIT", "features.field_presence = EXPLICIT",
                                   "features.field_presence = LEGACY_REQUIRED"]),
    "feature_encoding": ("field", ["features.repeated_field_encoding = EXPANDED",
                                   "features.repeated_field_encoding = PACKED"]),
    "feature_utf8": ("field", ["features.utf8_validation = NONE", "features.utf8_validation = VERIFY"]),
    "feature_delimited": ("field", ["features.message_encoding = DELIMITED",
                                    "features.message_encoding = LENGTH_PREFIXED"]),
    "feature_enum_type": ("enum", ["option features.enum_type = CLOSED;", "option features.enum_type = OPEN;"]),
    "feature_json": ("message", ["option features.json_format = LEGACY_BEST_EFFORT;",
                                 "option features.json_format = ALLOW;"]),
}
SCALARS = ["int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64",
           "bool", "string", "bytes", "float", "double"]


def corpus():
    """(import root, file name) of every googleapis-common-protos and well-known-type file."""
    files = []
    for root in (SITE, WKT):
        google = os.path.join(root, "google")
        for directory, _, names in os.walk(google):
            for name in names:
                if name.endswith(".proto"):
                    path = os.path.join(directory, name)
                    files.append((root, os.path.relpath(path, root)))
    return sorted(set(files))


def protoc(args):
    return subprocess.run([sys.executable, "-m", "grpc_tools.protoc"] + args, capture_output=True, text=True)


def descriptors(root, name, scratch):
    """The file's descriptor with source info, and the names of its imports' closure (itself included)."""
    out = os.path.join(scratch, "set.pb")
    result = protoc(["-I" + r for r in ROOTS] + ["--include_source_info", "--include_imports",
                     "--descriptor_set_out=" + out, name])
    if result.returncode != 0:
        return None, []
    fds = descriptor_pb2.FileDescriptorSet()
    with open(out, "rb") as handle:
        fds.ParseFromString(handle.read())
    return fds.file[-1], [f.name for f in fds.file]


def locate(root_names, name):
    for root in ROOTS:
        if os.path.exists(os.path.join(root, name)):
            return os.path.join(root, name)
    return None


class Text:
    """A file's text, edited by protoc spans (0-based lines and columns)."""

    def __init__(self, text):
        self.lines = text.split("\n")

    def offset(self, line, column):
        return sum(len(l) + 1 for l in self.lines[:line]) + column

    def span(self, location):
        s = list(location.span)
        if len(s) == 3:
            s = [s[0], s[1], s[0], s[2]]
        return self.offset(s[0], s[1]), self.offset(s[2], s[3])


def elements(fd):
    """Every message, enum, field, enum value, oneof, service and method with its source path."""
    found = collections.defaultdict(list)

    def message(m, path, scope):
        full = scope + "." + m.name if scope else m.name
        if not m.options.map_entry:
            found["message"].append((path, m, full))
        for i, f in enumerate(m.field):
            found["field"].append((path + [2, i], f, m))
        for i, n in enumerate(m.nested_type):
            message(n, path + [3, i], full)
        for i, e in enumerate(m.enum_type):
            enum(e, path + [4, i])
        for i, o in enumerate(m.oneof_decl):
            found["oneof"].append((path + [8, i], o, m, i))

    def enum(e, path):
        found["enum"].append((path, e))
        for i, v in enumerate(e.value):
            found["value"].append((path + [2, i], v, e))

    for i, m in enumerate(fd.message_type):
        message(m, [4, i], fd.package)
    for i, e in enumerate(fd.enum_type):
        enum(e, [5, i])
    for i, s in enumerate(fd.service):
        found["service"].append(([6, i], s))
        for j, method in enumerate(s.method):
            found["method"].append(([6, i, 2, j], method, s))
    return found


def mutate(fd, text, rng, editions=False):
    """One seeded edit: (kind, new text, extra files {name: text}) or None when none applies."""
    spans = {tuple(loc.path): loc for loc in fd.source_code_info.location}
    t = Text(text)
    found = elements(fd)
    messages = [full for _, _, full in found["message"]]

    def cut(path):
        start, end = t.span(spans[tuple(path)])
        return text[:start] + text[end:]

    def replace(path, new):
        start, end = t.span(spans[tuple(path)])
        return text[:start] + new + text[end:]

    def has(path):
        return tuple(path) in spans

    kinds = ["field_delete", "field_renumber", "field_retype", "field_rename", "field_label", "into_oneof",
             "out_of_oneof", "value_delete", "value_rename", "message_delete", "enum_delete", "message_move",
             "service_delete", "method_delete", "method_request", "method_stream"]
    if editions:
        kinds += list(FEATURE_EDITS) * 3  # the features are what the editions corpus is for
    rng.shuffle(kinds)
    for kind in kinds:
        if kind in FEATURE_EDITS:
            target, settings = FEATURE_EDITS[kind]
            setting = rng.choice(settings)
            if target == "field":
                path, f, _ = rng.choice(found["field"]) if found["field"] else (None, None, None)
                if path is None or not has(path):
                    continue
                start, end = t.span(spans[tuple(path)])
                field_text = text[start:end]
                if "[" in field_text:
                    at = start + field_text.index("[") + 1
                    return kind, text[:at] + setting + ", " + text[at:], {}
                at = start + field_text.rindex(";") if ";" in field_text else end
                return kind, text[:at] + " [" + setting + "]" + text[at:], {}
            candidates = found["enum"] if target == "enum" else [(p, m) for p, m, _ in found["message"]]
            if not candidates:
                continue
            path = rng.choice(candidates)[0]
            if not has(path):
                continue
            start, end = t.span(spans[tuple(path)])
            brace = text.find("{", start, end)
            if brace < 0:
                continue
            return kind, text[:brace + 1] + " " + setting + text[brace + 1:], {}
        if kind.startswith("field_") or kind in ("into_oneof", "out_of_oneof"):
            fields = found["field"]
            if not fields:
                continue
            path, f, m = rng.choice(fields)
            if not has(path):
                continue
            in_oneof = f.HasField("oneof_index") and not f.proto3_optional
            is_map = f.label == f.LABEL_REPEATED and f.type_name.endswith("Entry")
            if kind == "field_delete":
                return kind, cut(path), {}
            if kind == "field_renumber" and has(path + [3]):
                used = {x.number for x in m.field}
                number = max(used) + 1 + rng.randrange(5)
                return kind, replace(path + [3], str(number)), {}
            if kind == "field_retype":
                if f.type_name and has(path + [6]) and not is_map:
                    choices = ["string", "bytes", "int64"] + ["." + x for x in messages]
                    return kind, replace(path + [6], rng.choice(choices)), {}
                if has(path + [5]):
                    return kind, replace(path + [5], rng.choice([s for s in SCALARS])), {}
            if kind == "field_rename" and has(path + [1]):
                return kind, replace(path + [1], f.name + "_renamed"), {}
            if kind == "field_label" and not is_map and not in_oneof:
                if f.label == f.LABEL_REPEATED and has(path + [4]):
                    start, end = t.span(spans[tuple(path + [4])])
                    return kind, text[:start] + text[end:].lstrip(" "), {}
                if f.label != f.LABEL_REPEATED and not has(path + [4]):
                    start, _ = t.span(spans[tuple(path)])
                    return kind, text[:start] + "repeated " + text[start:], {}
            if kind == "into_oneof" and not in_oneof and not is_map and f.label != f.LABEL_REPEATED \
                    and not has(path + [4]):
                start, end = t.span(spans[tuple(path)])
                return kind, text[:start] + "oneof mutant_oneof { " + text[start:end] + " }" + text[end:], {}
            if kind == "out_of_oneof" and in_oneof:
                oneof_path = path[:-2] + [8, f.oneof_index]
                if not has(oneof_path):
                    continue
                start, end = t.span(spans[tuple(path)])
                field_text = text[start:end]
                _, oneof_end = t.span(spans[tuple(oneof_path)])
                return kind, text[:start] + text[end:oneof_end] + "\n" + field_text + text[oneof_end:], {}
        elif kind.startswith("value_"):
            values = found["value"]
            if not values:
                continue
            path, v, e = rng.choice(values)
            if kind == "value_delete" and has(path):
                return kind, cut(path), {}
            if kind == "value_rename" and has(path + [1]):
                return kind, replace(path + [1], v.name + "_RENAMED"), {}
        elif kind == "message_delete" and found["message"]:
            path, _, _ = rng.choice(found["message"])
            if has(path):
                return kind, cut(path), {}
        elif kind == "enum_delete" and found["enum"]:
            path, _ = rng.choice(found["enum"])
            if has(path):
                return kind, cut(path), {}
        elif kind == "message_move":
            top = [(p, m) for p, m, _ in found["message"] if len(p) == 2 and has(p)]
            if not top:
                continue
            path, m = rng.choice(top)
            start, end = t.span(spans[tuple(path)])
            moved = os.path.join(os.path.dirname(fd.name), "mutant_moved.proto")
            if fd.syntax == "editions":
                header = ["edition = \"%s\";" % descriptor_pb2.Edition.Name(fd.edition)[len("EDITION_"):]]
            else:
                header = ["syntax = \"%s\";" % (fd.syntax or "proto2")]
            if fd.package:
                header.append("package %s;" % fd.package)
            header += ["import \"%s\";" % d for d in fd.dependency]
            body = text[:start] + text[end:]
            anchor = (re.search(r"^package [^;]*;", body, re.M) or re.search(r"^syntax[^;]*;", body, re.M)
                      or re.search(r"^edition[^;]*;", body, re.M))
            if not anchor:
                continue
            body = body[:anchor.end()] + "\nimport \"%s\";" % moved + body[anchor.end():]
            return kind, body, {moved: "\n".join(header) + "\n" + text[start:end] + "\n"}
        elif kind == "service_delete" and found["service"]:
            path, _ = rng.choice(found["service"])
            if has(path):
                return kind, cut(path), {}
        elif kind.startswith("method_") and found["method"]:
            path, method, _ = rng.choice(found["method"])
            if kind == "method_delete" and has(path):
                return kind, cut(path), {}
            if kind == "method_request" and has(path + [2]) and messages:
                return kind, replace(path + [2], "." + rng.choice(messages)), {}
            if kind == "method_stream" and has(path + [3]):
                if method.server_streaming and has(path + [6]):
                    start, end = t.span(spans[tuple(path + [6])])
                    return kind, text[:start] + text[end:].lstrip(" "), {}
                if not method.server_streaming:
                    start, _ = t.span(spans[tuple(path + [3])])
                    return kind, text[:start] + "stream " + text[start:], {}
    return None


def write_tree(directory, files):
    for name, text in files.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)


def buf_findings(v1, v2, categories):
    config = json.dumps({"version": "v1", "breaking": {"use": ["WIRE", "WIRE_JSON", "FILE"]}})
    result = subprocess.run([BUF, "breaking", v2, "--against", v1, "--config", config, "--against-config",
                             '{"version":"v1"}', "--error-format", "json"], capture_output=True, text=True)
    if result.returncode not in (0, 100):
        return None
    found = [json.loads(line)["type"] for line in result.stdout.splitlines() if line.strip()]
    if "COMPILE" in found:
        return None  # buf cannot build the mutant (protoc could): no verdict to compare with
    return {c: [r for r in found if c in categories.get(r, ())] for c in ("WIRE", "WIRE_JSON", "FILE")}


def tandem_findings(tandem, v1, v2):
    found = {}
    for _, policy in PAIRS:
        result = subprocess.run([tandem, "check", "--v1", v1, "--v2", v2, "--policy", policy, "--format", "json"],
                                capture_output=True, text=True)
        if result.returncode not in (0, 1):
            return None, result.stderr.strip()
        report = json.loads(result.stdout)
        found[policy] = [f["rule"] for f in report["findings"] if f["severity"] == "error"]
    return found, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", choices=["googleapis", "editions"], default="googleapis")
    parser.add_argument("--tandem", default=os.path.join(ROOT, ".build", "release", "tandem"))
    parser.add_argument("--keep", help="write each mutant pair under this directory")
    parser.add_argument("--show", action="store_true", help="print each mutant whose findings differ from buf's")
    parser.add_argument("--json", help="also write the figures per policy to this file")
    args = parser.parse_args()
    if not os.path.exists(BUF):
        sys.exit("buf is missing at %s: run .ci/run (it installs buf-bin into the oracle virtualenv)" % BUF)
    if not os.path.exists(args.tandem):
        sys.exit("%s is missing: swift build -c release --product tandem" % args.tandem)
    listing = subprocess.run([BUF, "config", "ls-breaking-rules", "--version", "v1", "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
    categories = {r["id"]: set(r["categories"]) for r in map(json.loads, listing.splitlines()) if r}

    rng = random.Random(args.seed)
    editions = args.corpus == "editions"
    if editions:
        ROOTS.insert(0, EDITIONS_ROOT)
        files = [(EDITIONS_ROOT, name) for name in EDITIONS_FILES]
    else:
        files = corpus()
    scratch = tempfile.mkdtemp(prefix="tandem-mutants-")
    cache = {}
    totals = {p: collections.Counter() for _, p in PAIRS}
    by_kind = collections.Counter()
    misses = {p: collections.Counter() for _, p in PAIRS}
    extras = {p: collections.Counter() for _, p in PAIRS}
    made = attempts = 0
    try:
        while made < args.count and attempts < args.count * 20:
            attempts += 1
            root, name = rng.choice(files)
            if name not in cache:
                cache[name] = descriptors(root, name, scratch)
            fd, closure = cache[name]
            if fd is None:
                continue
            with open(os.path.join(root, name)) as handle:
                text = handle.read()
            if "\t" in text:
                continue
            edit = mutate(fd, text, rng, editions)
            if edit is None:
                continue
            kind, mutated, extra = edit
            case = os.path.join(args.keep or scratch, "m%04d" % made)
            shutil.rmtree(case, ignore_errors=True)
            v1, v2 = os.path.join(case, "v1"), os.path.join(case, "v2")
            originals = {}
            for dep in closure:
                path = locate(None, dep)
                with open(path) as handle:
                    originals[dep] = handle.read()
            write_tree(v1, originals)
            write_tree(v2, dict(originals, **{name: mutated}, **extra))
            if protoc(["-I" + v2, "--descriptor_set_out=" + os.path.join(case, "v2.pb"), name]
                      + list(extra)).returncode != 0:
                shutil.rmtree(case, ignore_errors=True)
                continue
            buf = buf_findings(v1, v2, categories)
            ours, error = tandem_findings(args.tandem, v1, v2)
            if buf is None or ours is None:
                print("m%04d %s %s: skipped (%s)" % (made, name, kind, error or "buf failed"), file=sys.stderr)
                shutil.rmtree(case, ignore_errors=True)
                continue
            made += 1
            by_kind[kind] += 1
            for category, policy in PAIRS:
                theirs = collections.Counter(buf[category])
                mine = collections.Counter(r for r in ours[policy] if category in categories.get(r, ()))
                own = sum(1 for r in ours[policy] if r not in categories)
                matched = sum((theirs & mine).values())
                totals[policy].update(buf=sum(theirs.values()), ours=sum(mine.values()), matched=matched, own=own)
                misses[policy].update(theirs - mine)
                extras[policy].update(mine - theirs)
                if args.show and (theirs - mine or mine - theirs):
                    print("m%04d %s %s %s: buf only %s, tandem only %s" % (
                        made - 1, name, kind, policy, dict(theirs - mine), dict(mine - theirs)))
            if not args.keep:
                shutil.rmtree(case, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    print("%d mutants of %d files (seed %d, %d attempts): %s" % (
        made, len(files), args.seed, attempts, ", ".join("%s %d" % kv for kv in sorted(by_kind.items()))))
    print("%-10s %-14s %7s %7s %8s %7s %9s" % ("buf", "tandem", "buf", "tandem", "matched", "recall", "precision"))
    figures = {"mutants": made, "seed": args.seed, "kinds": dict(by_kind), "policies": {}}
    for category, policy in PAIRS:
        t = totals[policy]
        recall = t["matched"] / t["buf"] if t["buf"] else 1.0
        precision = t["matched"] / t["ours"] if t["ours"] else 1.0
        figures["policies"][policy] = {"category": category, "buf": t["buf"], "tandem": t["ours"],
                                       "matched": t["matched"], "recall": recall, "precision": precision,
                                       "own_rules": t["own"]}
        print("%-10s %-14s %7d %7d %8d %7.3f %9.3f   (+%d findings of Tandem's own rules)" % (
            category, policy, t["buf"], t["ours"], t["matched"], recall, precision, t["own"]))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)
    for _, policy in PAIRS:
        if misses[policy]:
            print("%s misses: %s" % (policy, ", ".join("%s %d" % kv for kv in misses[policy].most_common())))
        if extras[policy]:
            print("%s extras: %s" % (policy, ", ".join("%s %d" % kv for kv in extras[policy].most_common())))


if __name__ == "__main__":
    main()
