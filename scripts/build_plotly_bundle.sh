#!/usr/bin/env bash
# Rebuild dashboard/vendor/plotly-map.min.js: plotly.js with only the traces the explorer's
# map draws (scripts/plotly_bundle/entry.js), from the exact packages of
# scripts/plotly_bundle/package-lock.json. Needs node and npm (the npm registry); nothing of
# it is needed to install or run the app. Run it after changing plotly.js's version in
# scripts/plotly_bundle/package.json, which must be the one the plotly Python package ships
# (tests/test_map_chart.py checks it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/plotly_bundle/package.json" "$here/plotly_bundle/package-lock.json" \
   "$here/plotly_bundle/entry.js" "$here/plotly_bundle/build.js" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts && node build.js "$work/plotly-map.min.js")
mv "$work/plotly-map.min.js" "$repo/dashboard/vendor/plotly-map.min.js"
echo "wrote dashboard/vendor/plotly-map.min.js ($(wc -c < "$repo/dashboard/vendor/plotly-map.min.js") bytes)"
