#!/usr/bin/env bash
# Installs the Debian packages and free CJK fonts that the report renderer and its tests need; idempotent and quiet.
#   fonts-noto-cjk           Noto Serif CJK SC (小标宋/宋体 substitute), Noto Sans CJK SC (黑体 substitute)
#   texlive-lang-chinese     only its Fandol .otf files (FandolFang 仿宋, FandolKai 楷体), extracted, no TeX Live
#   libreoffice-writer-nogui headless DOCX -> PDF check in the tests
#   poppler-utils            pdftotext, pdfinfo, pdftoppm
#   chromium                 the browser the page tests (tests/e2e, Playwright) drive
set -euo pipefail

# KAOHE_SYSTEM_DEPS=runtime installs only what rendering needs (the Docker image); the default adds the
# tools the tests use.
RUNTIME_PACKAGES=(fontconfig fonts-noto-cjk)
TEST_PACKAGES=(libreoffice-writer-nogui poppler-utils chromium)
if [ "${KAOHE_SYSTEM_DEPS:-all}" = "runtime" ]; then
  PACKAGES=("${RUNTIME_PACKAGES[@]}")
else
  PACKAGES=("${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
fi
FANDOL_DIR=${KAOHE_FANDOL_DIR:-/usr/local/share/fonts/fandol}
FANDOL_FILES=(FandolFang-Regular.otf FandolKai-Regular.otf FandolHei-Regular.otf FandolSong-Regular.otf)
FANDOL_SRC=usr/share/texlive/texmf-dist/fonts/opentype/public/fandol

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Quiet unless a step fails; then show what it printed.
log=$(mktemp)
work=""
trap 'rm -rf "$log" ${work:+"$work"}' EXIT
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "system-deps: failed: $*" >&2; exit 1; }; }

missing=()
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done

need_fandol=0
for f in "${FANDOL_FILES[@]}"; do [ -s "$FANDOL_DIR/$f" ] || need_fandol=1; done

updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then
    quiet $SUDO apt-get update -qq
    updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  apt_update
  quiet $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$need_fandol" -eq 1 ]; then
  echo "system-deps: extracting Fandol fonts to $FANDOL_DIR"
  work=$(mktemp -d)
  # apt-get download writes as the _apt user when it can; a world-writable temp dir keeps it quiet.
  chmod 0777 "$work"
  if ! (cd "$work" && apt-get download -qq texlive-lang-chinese >/dev/null 2>&1); then
    apt_update
    (cd "$work" && quiet apt-get download -qq texlive-lang-chinese)
  fi
  dpkg-deb --fsys-tarfile "$work"/texlive-lang-chinese_*.deb | tar -x -C "$work" "./$FANDOL_SRC"
  $SUDO mkdir -p "$FANDOL_DIR"
  for f in "${FANDOL_FILES[@]}"; do $SUDO install -m 0644 "$work/$FANDOL_SRC/$f" "$FANDOL_DIR/$f"; done
  quiet $SUDO fc-cache -f "$FANDOL_DIR"
fi
