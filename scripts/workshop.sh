#!/usr/bin/env bash
# `make workshop`: one self-contained folder for a workshop on a venue network that may be
# offline, and a .zip of it: the playground, the lessons page with its lessons, the
# instructor notes, the docs widget's demo, the lesson source files and an instructor
# README. Everything is same-origin static files (the pages' Content Security Policy
# forbids every other origin), so any static server works: `python3 -m http.server`.
#
# Usage: scripts/workshop.sh [OUT]   (default target/workshop; `make workshop` builds dist/
# first). Writes OUT/kubeharden-workshop/ and OUT/kubeharden-workshop.zip from dist/ as it
# is: cheap, so tests/e2e/lessons.test.mjs runs it into a fresh directory.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/workshop}
NAME=kubeharden-workshop
for f in dist/index.html dist/lessons/index.html dist/lessons/lessons.json \
         dist/lessons/instructor.html dist/widget-demo.html; do
    [[ -f $f ]] || { echo "workshop: $f is missing: run \`make dist\` first" >&2; exit 1; }
done
DIR="$OUT/$NAME"
rm -rf "$DIR" "$OUT/$NAME.zip"
mkdir -p "$DIR/lesson-files"
cp -R dist/. "$DIR/"
cp lessons/*.yaml "$DIR/lesson-files/"

# The instructor README, with the lessons' plan read from the lesson data shipped.
python3 - "$DIR" <<'PY'
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
lessons = json.loads((d / "lessons" / "lessons.json").read_text())["lessons"]
titles = {"security-controls": "Security controls", "metadata-concealment": "Metadata concealment", "updates": "Updates"}
total = sum(l["minutes"] for l in lessons)
rows, at = [], 0
for i, l in enumerate(lessons, 1):
    rows.append(f"| {i} | [{l['title']}](lessons/#/{l['id']}) (`{l['id']}`) | {titles[l['pillar']]} | {l['level']} | {l['minutes']} | {at // 60}:{at % 60:02} |")
    at += l["minutes"]
plan = "\n".join(rows)
(d / "README.md").write_text(f"""# kubeharden workshop kit

Everything for a hands-on Kubernetes manifest security workshop, offline: {len(lessons)} lessons,
about {total // 60} h {total % 60} min of exercises. Nothing here needs the network (only the lessons'
reference links point to the web, for reading later); the pages load nothing from any other
origin, and every check runs in the learner's browser.

## Run it

Unpack the folder on any laptop with Python 3 and serve it:

    cd kubeharden-workshop
    python3 -m http.server 8000

(any static web server works, also under a sub-path). Then open:

- <http://localhost:8000/lessons/> — the lessons: learners pick one, fix the manifest in the
  editor and watch the success check ("2 of 3 conditions met") turn green on every edit. A
  link such as <http://localhost:8000/lessons/#/seccomp> opens one lesson directly.
- <http://localhost:8000/lessons/instructor.html> — your notes: every lesson's goal, timing,
  hints, success conditions and reference solution, printable (one lesson per page).
- <http://localhost:8000/> — the playground, for free exploration after the lessons.
- <http://localhost:8000/widget-demo.html> — the checker embedded in a docs page.

To serve a whole room, bind to the venue network (`python3 -m http.server 8000 --bind 0.0.0.0`)
and give learners http://YOUR-ADDRESS:8000/lessons/.

## Progress

Each learner's progress and text stay in their browser (localStorage): a reload never loses
work. *Export progress* on the lessons page saves it as a file (to change machines, or to hand
in), *Import progress…* reads it back, *Reset all progress* starts over. Hints are revealed one at
a time, on request; *Show the solution* shows the reference solution as a diff against the
learner's text (other solutions can pass too: the check decides).

## In a shell instead

With the `kubeharden` CLI the same lessons and the same success check run in a terminal:
`kubeharden lesson list`, `kubeharden lesson start ID`, `kubeharden lesson check ID`,
`kubeharden lesson hint ID N`. `lesson-files/` holds the lesson sources (goal, hints, checks,
solution) as the CLI embeds them.

## Plan

| # | Lesson | Pillar | Level | Minutes | Starts at |
|---|--------|--------|-------|---------|-----------|
{plan}
""")
PY

if command -v zip >/dev/null; then
    (cd "$OUT" && zip -qr "$NAME.zip" "$NAME")
else
    (cd "$OUT" && python3 -m zipfile -c "$NAME.zip" "$NAME")
fi
echo "workshop: $DIR ($(du -sh "$DIR" | cut -f1)) and $OUT/$NAME.zip ($(du -h "$OUT/$NAME.zip" | cut -f1))"
