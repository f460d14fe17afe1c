#!/usr/bin/env bash
# Installs Chromium (Debian's package) for the end-to-end test that opens the
# after-action report in a real browser (test/e2e/summit-lifecycle.test.ts,
# driven by puppeteer-core, which never downloads a browser of its own).
# Idempotent: does nothing when a `chromium` is already on PATH.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  echo "chromium from CHROMIUM_PATH: ${CHROMIUM_PATH}"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(command -v chromium)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get here: install Chromium by hand, or set CHROMIUM_PATH to a Chromium or Chrome binary" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# fonts-dejavu-core: a font with every Vietnamese glyph, so the report renders without missing characters.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
echo "chromium installed: $(command -v chromium)"
