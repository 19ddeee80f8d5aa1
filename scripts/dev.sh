#!/usr/bin/env bash
# The README's run command (`npm run dev`): the packages when missing (scripts/ensure-packages.sh), then the
# local stack (scripts/dev.ts) on the Node 22 that the install put in node_modules/.bin.
# package.json runs this with `exec` and this execs node, so npm's child is the dev process itself: npm passes
# a SIGTERM or Ctrl-C on to its child only, and a shell in between would leave the stack running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh
export PATH="$PWD/node_modules/.bin:$PATH"
exec node --import tsx scripts/dev.ts "$@"
