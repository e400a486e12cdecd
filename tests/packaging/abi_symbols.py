#!/usr/bin/env python3
"""ABI hygiene of libcrm.so: every exported (dynamic, defined) symbol must be
the C ABI (crm_*) or belong to the crm:: C++ API.

usage: abi_symbols.py LIBCRM_SO CRM_H

Runs `nm -D --defined-only`, demangles each name with c++filt and classifies
it. Typeinfo, typeinfo names, vtables, VTTs and thunks of crm:: entities are
crm:: entities. Anything else (a boost::, std:: or fmt:: instantiation, a
SQLite symbol, ...) fails the test and is listed.
"""
import re
import subprocess
import sys

# Prefixes c++filt puts before the entity they are about.
SPECIAL = (
    "typeinfo for ", "typeinfo name for ", "vtable for ", "VTT for ",
    "construction vtable for ", "non-virtual thunk to ", "virtual thunk to ",
    "covariant return thunk to ", "guard variable for ", "reference temporary #",
    "TLS init function for ", "TLS wrapper function for ", "transaction clone for ",
)

def strip_special(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in SPECIAL:
            if name.startswith(p):
                name = name[len(p):]
                if p == "reference temporary #":
                    name = name.split(" for ", 1)[-1]
                changed = True
    return name


def in_crm_namespace(name: str) -> bool:
    """True when the entity (after an optional return type, which function
    template instantiations carry) is qualified by crm:: at top level."""
    name = strip_special(name)
    if name.startswith("crm::"):
        return True
    depth = 0
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth <= 0:
            return False  # reached the parameter list without a crm:: name
        elif depth == 0 and name.startswith("crm::", i) and i > 0 and name[i - 1] == " ":
            return True
        i += 1
    return False


def main() -> int:
    lib = sys.argv[1]
    header = sys.argv[2]
    nm = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                        capture_output=True, text=True).stdout
    rows = []
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, mangled = parts[1], parts[2]
        mangled = mangled.split("@", 1)[0]  # symbol version, if any
        rows.append((kind, mangled))
    if not rows:
        print(f"FAIL: nm found no exported symbols in {lib}")
        return 1
    demangled = subprocess.run(["c++filt"], input="\n".join(m for _, m in rows) + "\n",
                               check=True, capture_output=True, text=True).stdout.splitlines()
    c_abi, cxx_api, bad = [], [], []
    for (kind, mangled), name in zip(rows, demangled):
        if not mangled.startswith("_Z"):
            if mangled.startswith("crm_"):
                c_abi.append(mangled)
            else:
                bad.append(f"{kind} {mangled}")
        elif in_crm_namespace(name):
            cxx_api.append(name)
        else:
            bad.append(f"{kind} {name}   [{mangled}]")
    print(f"{lib}: {len(rows)} exported symbols: {len(c_abi)} C ABI (crm_*), "
          f"{len(cxx_api)} C++ API (crm::)")
    for s in sorted(c_abi):
        print(f"  C    {s}")
    if bad:
        print(f"FAIL: {len(bad)} exported symbols are neither crm_* nor crm:::")
        for s in sorted(bad):
            print(f"  BAD  {s}")
        return 1
    # The C ABI is exactly the functions crm.h declares.
    with open(header, encoding="utf-8") as f:
        declared = set(re.findall(r"^CRM_API\b[^(;]*?\b(crm_\w+)\s*\(", f.read(), re.M))
    if not declared:
        print(f"FAIL: no CRM_API function found in {header}")
        return 1
    missing = declared - set(c_abi)
    extra = set(c_abi) - declared
    if missing:
        print(f"FAIL: functions of crm.h not exported: {sorted(missing)}")
    if extra:
        print(f"FAIL: crm_* symbols exported but not declared in crm.h: {sorted(extra)}")
    if missing or extra:
        return 1
    print(f"the {len(declared)} functions of crm.h are exported, and nothing else outside crm::")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
