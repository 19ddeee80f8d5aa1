#!/usr/bin/env bash
# The README's run command (`npm run dev`): the packages when missing (scripts/ensure-packages.sh), then the
# local stack (scripts/dev.ts) on the Node 22 that the install put in node_modules/.bin.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh
export PATH="$PWD/node_modules/.bin:$PATH"
exec tsx scripts/dev.ts "$@"
