#!/usr/bin/env bash
# Offline validation of deploy/k8s (every overlay rendered and schema-checked) and of
# docker-compose.yml. Called by .ci/run; needs Node.js 20+ and npm (the packages come from the
# lock file). See validate.mjs for what is checked and validate.test.mjs for its tests.
set -euo pipefail
cd "$(dirname "$0")"
node --version
npm ci --no-audit --no-fund
node validate.mjs
# The validator's own tests: each breaks a copy of the manifests and expects its problem.
node --test validate.test.mjs
