#!/usr/bin/env bash
# The 120-column limit for the files ESLint does not read (shell, CSS, HTML, JSONC, YAML); Prettier cannot wrap them.
# Run by `npm run lint`; ESLint's @stylistic/max-len covers TypeScript and JavaScript.
set -euo pipefail
cd "$(dirname "$0")/.."
# grep counts characters, not bytes, under a UTF-8 locale.
if git ls-files -z -- '*.sh' '*.css' '*.html' '*.jsonc' '*.yaml' '*.yml' \
  | LC_ALL=C.UTF-8 xargs -0r grep -nE '^.{121,}' --; then
  echo "lines over 120 columns (above): wrap them" >&2
  exit 1
fi
