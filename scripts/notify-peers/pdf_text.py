#!/usr/bin/env python3
"""Reads a PDF with pypdf (PyPI), not the code that wrote it, and prints
{"pages", "width", "height", "text", "fonts"} as JSON: the tests check the
weekly digest's PDF with it."""
import json, sys

from pypdf import PdfReader

reader = PdfReader(sys.argv[1])
page = reader.pages[0]
fonts = set()
for p in reader.pages:
    res = p.get("/Resources") or {}
    for f in (res.get("/Font") or {}).values():
        fonts.add(str(f.get_object().get("/BaseFont")))
print(json.dumps({
    "pages": len(reader.pages),
    "width": float(page.mediabox.width),
    "height": float(page.mediabox.height),
    "text": "\n".join(p.extract_text() for p in reader.pages),
    "fonts": sorted(fonts),
}))
