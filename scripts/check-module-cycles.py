#!/usr/bin/env python3
"""Fails when the crate's modules import each other in a cycle.

Every file under src/ is a module (`a/mod.rs` and `a.rs` are `a`). A module
depends on another when it names it by path (`use crate::…`, `super::…`,
`self::…`, in a `use` or in code; comments and `#[cfg(test)]` modules are
not read). A module naming its own children (`mod x;` and relative paths)
is structure, not counted; a child using its parent's items is. Prints each
cycle with the imports that make it (issue 18: state.rs <-> api_v1 / auth,
the sign-in pages, the plan parser's walk and its parts all were).
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "src"
modules = {}
for directory, _, names in os.walk(root):
    for name in names:
        if name.endswith(".rs"):
            path = os.path.join(directory, name)
            parts = tuple(os.path.relpath(path, root)[:-3].split(os.sep))
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            if parts != ("main",):
                modules[parts] = path


def expand(tree):
    """`a::{b, c::{d, e}}` -> a::b, a::c::d, a::c::e."""
    tree = re.sub(r"\s+", "", tree)
    start = tree.find("{")
    if start < 0:
        return [tree]
    depth = 0
    for end in range(start, len(tree)):
        depth += {"{": 1, "}": -1}.get(tree[end], 0)
        if depth == 0:
            break
    head, inner, tail = tree[:start], tree[start + 1 : end], tree[end + 1 :]
    items, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        current += ch
    items.append(current)
    return [p for item in items if item for p in expand(head + item + tail)]


def target(module, path):
    segs = [s for s in path.split("::") if s]
    if not segs or segs[0] not in ("crate", "super", "self"):
        return None
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] == "self":
        base, rest = module, segs[1:]
    else:
        ups = 0
        while ups < len(segs) and segs[ups] == "super":
            ups += 1
        base, rest = module[: len(module) - ups], segs[ups:]
    full = tuple(base) + tuple(rest)
    for k in range(len(full), -1, -1):
        if full[:k] in modules:
            return full[:k]
    return None


edges = {m: {} for m in modules}
for module, path in modules.items():
    text = open(path, encoding="utf-8").read()
    text = re.split(r"#\[cfg\(test\)\]\s*(?:pub\s+)?mod\s+\w+\s*\{", text)[0]
    text = re.sub(r"//[^\n]*", "", text)
    paths = [p for tree in re.findall(r"\buse\s+([^;]+);", text) for p in expand(tree)]
    paths += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", text)
    for p in paths:
        t = target(module, p)
        # Naming oneself or one's own descendants is structure.
        if t is None or t[: len(module)] == module:
            continue
        edges[module].setdefault(t, p)

index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            cycles.append(component)


for v in sorted(edges):
    if v not in index:
        visit(v)
name = lambda m: "::".join(m) or "crate"
for component in cycles:
    print("import cycle:", ", ".join(sorted(name(m) for m in component)))
    for a in sorted(component):
        for b, how in sorted(edges[a].items()):
            if b in component:
                print(f"    {name(a)} uses {name(b)} ({how})")
if cycles:
    sys.exit(1)
print(f"no import cycles between the {len(modules)} modules of {root}/")
