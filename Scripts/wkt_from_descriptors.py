#!/usr/bin/env python3
"""Writes Sources/TandemProto/Parser/WellKnownTypes+Sources.swift: our own .proto text for each well-known type
file (and the language feature files editions import: cpp_, go_ and java_features.proto), printed from the descriptors the pinned oracle protoc produces (names, numbers, types and options only:
no comments or layout of the original files). Run with the oracle venv's python:
    .venv-oracle/bin/python Scripts/wkt_from_descriptors.py
"""
import os, subprocess, sys, tempfile
from google.protobuf import descriptor_pb2, text_format

FILES = ["any", "api", "cpp_features", "descriptor", "duration", "empty", "field_mask", "source_context", "struct",
         "timestamp", "type", "wrappers", "go_features", "java_features"]
import grpc_tools
PROTO_ROOT = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
F = descriptor_pb2.FieldDescriptorProto
SCALARS = {F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float", F.TYPE_INT64: "int64", F.TYPE_UINT64: "uint64",
           F.TYPE_INT32: "int32", F.TYPE_FIXED64: "fixed64", F.TYPE_FIXED32: "fixed32", F.TYPE_BOOL: "bool",
           F.TYPE_STRING: "string", F.TYPE_BYTES: "bytes", F.TYPE_UINT32: "uint32", F.TYPE_SFIXED32: "sfixed32",
           F.TYPE_SFIXED64: "sfixed64", F.TYPE_SINT32: "sint32", F.TYPE_SINT64: "sint64"}

def quote(s):
    out = []
    for b in s.encode() if isinstance(s, str) else s:
        c = chr(b)
        if c == '"': out.append('\\"')
        elif c == '\\': out.append('\\\\')
        elif 0x20 <= b < 0x7f: out.append(c)
        else: out.append('\\%03o' % b)
    return '"' + ''.join(out) + '"'

def option_items(opts):
    items = []
    for fd, value in opts.ListFields():
        values = value if fd.is_repeated else [value]
        for v in values:
            if fd.type == fd.TYPE_MESSAGE:
                txt = text_format.MessageToString(v, as_one_line=True)
                items.append((fd.name, "{ " + txt + " }"))
            elif fd.type == fd.TYPE_ENUM:
                items.append((fd.name, fd.enum_type.values_by_number[v].name))
            elif fd.type == fd.TYPE_STRING:
                items.append((fd.name, quote(v)))
            elif fd.type == fd.TYPE_BOOL:
                items.append((fd.name, "true" if v else "false"))
            else:
                items.append((fd.name, str(v)))
    return items

def type_ref(f, pkg):
    if f.type in SCALARS: return SCALARS[f.type]
    return f.type_name  # fully qualified with leading dot: always resolves

def field_line(f, msg, pkg, proto3, indent, nested_by_name):
    opts = []
    if f.HasField("default_value"):
        if f.type == F.TYPE_STRING: dv = quote(f.default_value)
        elif f.type == F.TYPE_BYTES: dv = '"' + f.default_value + '"'
        else: dv = f.default_value
        opts.append("default = " + dv)
    if f.json_name and f.json_name != default_json(f.name):
        opts.append("json_name = " + quote(f.json_name))
    opts += ["%s = %s" % kv for kv in option_items(f.options)]
    suffix = (" [" + ", ".join(opts) + "]") if opts else ""
    entry = nested_by_name.get(f.type_name.split(".")[-1]) if f.type == F.TYPE_MESSAGE else None
    if entry is not None and entry.options.map_entry:
        k, v = entry.field[0], entry.field[1]
        return "%smap<%s, %s> %s = %d%s;" % (indent, type_ref(k, pkg), type_ref(v, pkg), f.name, f.number, suffix)
    if f.label == F.LABEL_REPEATED: label = "repeated "
    elif f.label == F.LABEL_REQUIRED: label = "required "
    elif proto3: label = "optional " if f.proto3_optional else ""
    else: label = "optional " if not f.HasField("oneof_index") else ""
    return "%s%s%s %s = %d%s;" % (indent, label, type_ref(f, pkg), f.name, f.number, suffix)

def default_json(name):
    out, cap = [], False
    for c in name:
        if c == "_": cap = True
        elif cap: out.append(c.upper()); cap = False
        else: out.append(c)
    return "".join(out)

def print_enum(e, indent):
    lines = [indent + "enum %s {" % e.name]
    for k, v in option_items(e.options): lines.append(indent + "  option %s = %s;" % (k, v))
    for v in e.value:
        opts = ["%s = %s" % kv for kv in option_items(v.options)]
        lines.append(indent + "  %s = %d%s;" % (v.name, v.number, (" [" + ", ".join(opts) + "]") if opts else ""))
    for r in e.reserved_range:
        end = "max" if r.end == 2147483647 else str(r.end)
        lines.append(indent + "  reserved %d to %s;" % (r.start, end) if r.start != r.end else indent + "  reserved %d;" % r.start)
    for n in e.reserved_name: lines.append(indent + "  reserved %s;" % quote(n))
    lines.append(indent + "}")
    return lines

def print_message(m, pkg, proto3, indent):
    lines = [indent + "message %s {" % m.name]
    inner = indent + "  "
    nested_by_name = {n.name: n for n in m.nested_type}
    for k, v in option_items(m.options): lines.append(inner + "option %s = %s;" % (k, v))
    oneof_done = set()
    for f in m.field:
        if f.HasField("oneof_index") and not f.proto3_optional:
            oi = f.oneof_index
            if oi in oneof_done: continue
            oneof_done.add(oi)
            lines.append(inner + "oneof %s {" % m.oneof_decl[oi].name)
            for g in m.field:
                if g.HasField("oneof_index") and g.oneof_index == oi:
                    lines.append(field_line(g, m, pkg, proto3, inner + "  ", nested_by_name))
            lines.append(inner + "}")
        else:
            lines.append(field_line(f, m, pkg, proto3, inner, nested_by_name))
    for n in m.nested_type:
        if n.options.map_entry: continue
        lines += print_message(n, pkg, proto3, inner)
    for e in m.enum_type: lines += print_enum(e, inner)
    for r in m.extension_range:
        end = "max" if r.end == 536870912 else str(r.end - 1)
        opts = ["%s = %s" % kv for kv in option_items(r.options)]
        lines.append(inner + "extensions %d to %s%s;" % (r.start, end, (" [" + ", ".join(opts) + "]") if opts else ""))
    for r in m.reserved_range:
        lines.append(inner + ("reserved %d;" % r.start if r.end == r.start + 1 else "reserved %d to %d;" % (r.start, r.end - 1)))
    for n in m.reserved_name: lines.append(inner + "reserved %s;" % quote(n))
    assert not m.extension
    lines.append(indent + "}")
    return lines

def print_file(fd):
    proto3 = fd.syntax == "proto3"
    lines = ['syntax = "%s";' % ("proto3" if proto3 else "proto2"), "", "package %s;" % fd.package, ""]
    for d in fd.dependency: lines.append('import "%s";' % d)
    for k, v in option_items(fd.options): lines.append("option %s = %s;" % (k, v))
    for m in fd.message_type: lines += print_message(m, fd.package, proto3, "")
    for e in fd.enum_type: lines += print_enum(e, "")
    for s in fd.service:
        lines.append("service %s {" % s.name)
        for meth in s.method:
            lines.append("  rpc %s(%s%s) returns (%s%s);" % (meth.name, "stream " if meth.client_streaming else "",
                         meth.input_type, "stream " if meth.server_streaming else "", meth.output_type))
        lines.append("}")
    extendees = []
    for f in fd.extension:
        if f.extendee not in extendees: extendees.append(f.extendee)
    for extendee in extendees:
        lines.append("extend %s {" % extendee)
        lines += [field_line(f, None, fd.package, proto3, "  ", {}) for f in fd.extension if f.extendee == extendee]
        lines.append("}")
    return "\n".join(lines) + "\n"

def main():
    out = ["// Generated by Scripts/wkt_from_descriptors.py from the published descriptors of the well-known types",
           "// (names, numbers, types, options). Do not edit by hand.", "",
           "extension WellKnownTypes {", "    /// The `.proto` text of each well-known type file, by import path.",
           "    static let sources: [String: String] = ["]
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            path = "google/protobuf/%s.proto" % name
            set_path = os.path.join(tmp, name + ".pb")
            subprocess.check_call([sys.executable, "-m", "grpc_tools.protoc", "-I" + PROTO_ROOT,
                                   "--descriptor_set_out=" + set_path, path])
            fds = descriptor_pb2.FileDescriptorSet()
            fds.ParseFromString(open(set_path, "rb").read())
            text = print_file(fds.file[0])
            out.append('        "%s": #"""' % path)
            out += ["        " + l if l else "" for l in text.rstrip("\n").split("\n")]
            out.append('        """#,')
    out += ["    ]", "}", ""]
    dest = os.path.join(os.path.dirname(__file__), "..", "Sources", "TandemProto", "Parser", "WellKnownTypes+Sources.swift")
    open(dest, "w").write("\n".join(out))

main()
