#!/usr/bin/env bash
# Installs the Debian packages the tests need: Chromium and a CJK font (browser tests), Redis
# (distributed crawling tests), headless LibreOffice Writer and its Python bridge (reading .doc/.wps
# attachments: pipeline/extraction/attachments/office_converter.py), and the libraries OpenCV's
# wheel (opencv-python, which the OCR engine rapidocr-onnxruntime requires) links: libGL, GLib.
# Idempotent: installs only what is missing, runs `apt-get update` at most once per call.
# Runs as root (CI); elsewhere it uses sudo if it can. Never downloads a browser build of its own.
set -euo pipefail

wanted_packages=(chromium fonts-noto-cjk redis-server libreoffice-writer-nogui python3-uno libgl1 libglib2.0-0)

missing=()
for package in "${wanted_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-deps: already installed: ${wanted_packages[*]}"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-system-deps: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
