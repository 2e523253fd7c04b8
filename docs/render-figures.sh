#!/usr/bin/env bash
# Renders the sample evaluation figures (SVG) to PNG with headless Chromium, to check them by eye.
# Not run in CI. Needs Debian's chromium (apt-get install -y chromium).
# Usage: docs/render-figures.sh [output-folder]   (default /tmp/llmtrack-figures)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/llmtrack-figures}"
mkdir -p "$out"
LLMTRACK_FIGURES_OUT="$out" dotnet test tests/LlmTrack.Tests/LlmTrack.Tests.csproj -c Release \
  --filter "FullyQualifiedName~SvgFiguresTests.WriteSampleFiguresWhenAskedTo" >/dev/null
for svg in "$out"/*.svg; do
  png="${svg%.svg}.png"
  profile="$(mktemp -d)"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$png" --window-size=800,700 "$svg" >/dev/null 2>&1
  rm -rf "$profile"
  echo "$png"
done
