#!/usr/bin/env bash
# Install everything canhbao needs on a fresh Debian machine: system packages (Tesseract with
# Vietnamese, Poppler, fonts with Vietnamese glyphs, Chromium, a JDK for the test search node, PostgreSQL
# for the live Airflow test, docker-compose to validate docker-compose.yml) and a
# virtual environment with the project and its test extras. Safe to re-run: it skips what is there,
# and pip reuses its per-user download cache (~/.cache/pip).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie poppler-utils fonts-noto-core fonts-dejavu-core chromium
              default-jre-headless maven postgresql openssl docker-compose redis-server
              libnss3-tools)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat setup.cfg pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/pip" install --disable-pip-version-check -q --upgrade pip setuptools wheel
  "$VENV/bin/pip" install --disable-pip-version-check -q -e ".[test]"
  touch "$stamp"
fi
