#!/usr/bin/env bash
# Offline validation of deploy/k8s (every overlay rendered and schema-checked) and of
# docker-compose.yml. Called by .ci/run; needs Node.js 20+ and npm (the packages come from the
# lock file). See validate.mjs for what is checked.
set -euo pipefail
cd "$(dirname "$0")"
node --version
npm ci --no-audit --no-fund
node validate.mjs
