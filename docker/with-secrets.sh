#!/bin/sh
# Entrypoint wrapper: each secret the environment leaves unset or empty is read from the file
# compose's one-shot `secrets` service generated (docs/trust.md), then the command runs.
# Precedence: a value from the environment (a .env, `-e`) always wins over the generated one.
# Without the file (Runpod, a plain `docker run`) it changes nothing.
set -eu
file="${S3_SECRETS_FILE:-/run/s3-secrets/secrets.env}"
if [ -r "$file" ]; then
  while IFS='=' read -r name value; do
    case "$name" in
      JWT_SECRET | GPU_CALLBACK_SECRET | ADMIN_SECRET | QUEUE_TOKEN | STORAGE_ACCESS_KEY | STORAGE_SECRET_KEY) ;;
      *) continue ;;
    esac
    eval "current=\${$name:-}"
    [ -n "$current" ] || export "$name=$value"
  done <"$file"
fi
exec "$@"
