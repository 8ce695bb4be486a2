#!/usr/bin/env python3
"""Writes SDK declarations of nopCommerce data shapes (entities, enums, marker interfaces)
from the real 4.90.3 API listing: every settable property whose type is a primitive or a
type that is generated too. Usage: gen-shapes.py LISTING OUTDIR Type.Full.Name ..."""
import os, re, sys

listing, outdir, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
types, members = {}, {}
for line in open(listing, encoding="utf-8"):
    kind, asm, text = line.rstrip("\n").split("\t")
    if kind == "T":
        m = re.match(r"^(public) (?:(abstract|static|sealed) )?(class|interface|enum) ([\w.]+)(?: : (.*))?$", text)
        if m:
            types[m.group(4)] = (asm, m.group(2), m.group(3), m.group(5))
    else:
        members.setdefault(asm, []).append(text)

PRIMS = {"int", "long", "string", "bool", "decimal", "byte", "short", "double", "float", "byte[]",
         "System.DateTime", "System.Guid"}

def known(t):
    t = t.rstrip("?")
    return t in PRIMS or t in wanted

for full in wanted:
    asm, mod, kind, bases = types[full]
    ns, name = full.rsplit(".", 1)
    body = []
    for text in members[asm]:
        if kind == "enum":
            m = re.match(r"^" + re.escape(full) + r"\.(\w+) = (-?\d+)$", text)
            if m:
                body.append(f"    {m.group(1)} = {m.group(2)},")
            continue
        if kind == "interface":
            m = re.match(r"^(\S+) " + re.escape(full) + r"\.(\w+) \{ (get; set;|get;) \}$", text)
            if m and known(m.group(1)):
                body.append(f"    {m.group(1)} {m.group(2)} {{ {m.group(3)} }}")
            continue
        m = re.match(r"^public (virtual )?(\S+) " + re.escape(full) + r"\.(\w+) \{ get; set; \}$", text)
        if m and known(m.group(2)):
            ptype, pname = m.group(2), m.group(3)
            backing = f"public int {full}.{pname}Id {{ get; set; }}"
            if types.get(ptype, (None, None, None))[2] == "enum" and backing in members[asm]:
                # enum convenience property over its int column, as the entity stores it
                body.append(f"    public {ptype} {pname} {{ get => ({ptype}){pname}Id; set => {pname}Id = (int)value; }}")
            else:
                body.append(f"    public {m.group(1) or ''}{ptype} {pname} {{ get; set; }}")
    enum_base = ""
    if kind == "enum" and bases:
        enum_base = " : " + bases
    head = f"public {mod + ' ' if mod else ''}{kind} {name}"
    if kind != "enum" and bases:
        head += " : " + bases
    head += enum_base
    rel = "" if ns == asm else ns[len(asm) + 1:] if ns.startswith(asm + ".") else ns
    path = os.path.join(outdir, asm, *[p for p in rel.split(".") if p], name + ".cs")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"namespace {ns};\n\n{head}\n{{\n" + "\n".join(sorted(body) if kind != "enum" else body) + "\n}\n")
    print(path)
