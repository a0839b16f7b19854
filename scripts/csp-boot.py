#!/usr/bin/env python3
"""Move Trunk's inline start-up script into a file, so the page's Content Security
Policy can forbid inline scripts (script-src 'self'). The script element names the
WebAssembly's JavaScript glue in `data-engine`: the playground starts its engine's Web
Worker with it (www/engine-worker.js)."""
import hashlib
import pathlib
import re
import sys

index = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "dist/index.html")
html = index.read_text()
pattern = re.compile(r'<script type="module"\s*>(.*?)</script>', re.S)
match = pattern.search(html)
if not match:
    if 'src="./boot-' in html:
        sys.exit(0)  # already done
    sys.exit(f"{index}: no inline start-up script found")
body = match.group(1).strip() + "\n"
name = f"boot-{hashlib.sha256(body.encode()).hexdigest()[:16]}.js"
glue = re.search(r"from '(\./[^']+\.js)'", body)
if not glue:
    sys.exit(f"{index}: the start-up script imports no glue")
(index.parent / name).write_text(body)
html = (
    html[: match.start()]
    + f'<script type="module" src="./{name}" data-engine="{glue.group(1)}"></script>'
    + html[match.end():]
)
if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
    sys.exit(f"{index}: an inline script is left")
index.write_text(html)
print(f"{index}: start-up script moved to {name}")
