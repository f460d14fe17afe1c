#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into a virtual environment under the git-ignored .tools/
# for the schema-driven API fuzz (test/fuzz/api-fuzz.test.ts). Idempotent; needs python3 with venv.
# SCHEMATHESIS_PATH names an existing schemathesis executable instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=4.32.5
venv=.tools/schemathesis-${version}

if [ -n "${SCHEMATHESIS_PATH:-}" ] && [ -x "${SCHEMATHESIS_PATH}" ]; then
  echo "schemathesis from SCHEMATHESIS_PATH: ${SCHEMATHESIS_PATH}"
  exit 0
fi
if [ -x "${venv}/bin/schemathesis" ]; then
  echo "schemathesis ${version} already installed: ${venv}/bin/schemathesis"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "no python3 here: install Python 3.9+ (with venv), or set SCHEMATHESIS_PATH" >&2
  exit 1
fi

rm -rf "${venv}"
python3 -m venv "${venv}"
"${venv}/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${version}"
echo "schemathesis installed: ${venv}/bin/schemathesis ($("${venv}/bin/schemathesis" --version))"
