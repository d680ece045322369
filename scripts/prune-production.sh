#!/bin/sh
# Trims an `npm ci --omit=dev` node_modules to what the services load at run time (the Dockerfile's
# deps stage runs it). npm keeps TypeScript there because @bull-board/api's validator (valibot)
# names it as an optional peer dependency ("devOptional" in package-lock.json); nothing loads it
# at run time. Type declarations, TypeScript sources and source maps are never loaded by node either.
set -eu
dir="${1:-node_modules}"
[ -d "$dir" ] || { echo "prune-production: no $dir" >&2; exit 1; }
rm -rf "$dir/typescript" "$dir/@types" "$dir/.bin/tsc" "$dir/.bin/tsserver"
find "$dir" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' -o -name '*.map' \) -delete
