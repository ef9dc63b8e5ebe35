#!/usr/bin/env bash
# Refresh the self-hosted chart runtime in sitegen/theme/static/js/vendor/ from the npm registry.
#
#   scripts/vendor-vega.sh                 # the pinned versions below
#   VEGA=6.4.0 VEGA_LITE=6.5.0 scripts/vendor-vega.sh
#
# Copies the packages' own minified UMD builds (vega, vega-lite, vega-embed), builds vega-interpreter
# (published as an ES module only) into one minified script exposing `vegaInterpreter`, copies each
# licence, drops source-map comments (the maps are not shipped) and rewrites vendor/VERSIONS with the
# versions and sha256 of every file. Review vendor/README.md after a version change.
set -euo pipefail

VEGA="${VEGA:-6.4.0}"
VEGA_LITE="${VEGA_LITE:-6.5.0}"
VEGA_EMBED="${VEGA_EMBED:-7.3.0}"
VEGA_INTERPRETER="${VEGA_INTERPRETER:-2.3.2}"
ESBUILD="${ESBUILD:-0.28.2}"  # build tool only; nothing of it is shipped

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/sitegen/theme/static/js/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-fund --no-audit --save-exact --engine-strict=false \
  "vega@$VEGA" "vega-lite@$VEGA_LITE" "vega-embed@$VEGA_EMBED" "vega-interpreter@$VEGA_INTERPRETER" \
  "esbuild@$ESBUILD" >/dev/null

printf "export { expressionInterpreter } from 'vega-interpreter';\n" > interpreter.js
npx --no-install esbuild interpreter.js --bundle --minify --format=iife --global-name=vegaInterpreter \
  --legal-comments=none --outfile=vega-interpreter.min.js

mkdir -p "$out"
rm -f "$out"/*.js "$out"/LICENSE-*.txt
strip_map() { sed '/^\/\/# sourceMappingURL=/d' "$1" > "$2"; }
strip_map node_modules/vega/build/vega.min.js "$out/vega.min.js"
strip_map node_modules/vega-lite/build/vega-lite.min.js "$out/vega-lite.min.js"
strip_map node_modules/vega-embed/build/vega-embed.min.js "$out/vega-embed.min.js"
strip_map vega-interpreter.min.js "$out/vega-interpreter.min.js"
for package in vega vega-lite vega-embed vega-interpreter vega-util; do
  cp "node_modules/$package/LICENSE" "$out/LICENSE-$package.txt"
done

{
  echo "# Written by scripts/vendor-vega.sh; do not edit."
  for package in vega vega-lite vega-embed vega-interpreter vega-util vega-expression vega-functions vega-tooltip; do
    node -e "const p=require('./node_modules/$package/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)"
  done
  (cd "$out" && sha256sum -- *.js)
} > "$out/VERSIONS"
cat "$out/VERSIONS"
