#!/usr/bin/env bash
# The Python tools the CI-integration tests use (tests/config_ci.rs), in a virtual
# environment of their own: the pre-commit framework (to run .pre-commit-hooks.yaml on a
# scratch repository) and xmlschema (to validate the JUnit report against
# tests/ci/junit.xsd). Pinned; skipped when present. Run by `make ci-tools`.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/ci-venv
if [[ -x $venv/bin/pre-commit && -x $venv/bin/python ]] \
    && $venv/bin/python -c 'import xmlschema' 2>/dev/null; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.3.0 xmlschema==4.1.0
