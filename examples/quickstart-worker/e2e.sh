#!/usr/bin/env bash
# End-to-end check of the quick-start worker: starts its jar (mvn verify built it) against a
# running stack (`./tasker up`: PostgreSQL on TASKER_LOCAL_PG_PORT, orchestrator on
# TASKER_LOCAL_API_PORT), lets it register its own template, posts a quickstart/welcome task and
# fails unless the task completes through the worker's own handlers with the expected result.
set -euo pipefail
cd "$(dirname "$0")"
api="http://localhost:${TASKER_LOCAL_API_PORT:-8080}"
pg_port="${TASKER_LOCAL_PG_PORT:-54329}"
port="${QUICKSTART_HTTP_PORT:-8082}"
log=target/quickstart-e2e.log
# The development admin key ./tasker up printed (it has templates.write and tasks.*).
key="${TASKER_API_KEY:-$(cat ../../.tasker-data/auth/admin-key)}"
auth=(-H "Authorization: Bearer $key")

TASKER_DB_REACTIVE_URL="postgresql://localhost:$pg_port/tasker" \
TASKER_DB_USER=postgres TASKER_DB_PASSWORD=postgres \
TASKER_WORKER_ORCHESTRATOR_URL="$api" TASKER_WORKER_ORCHESTRATOR_API_KEY="$key" \
QUICKSTART_HTTP_PORT="$port" \
  java -jar target/quarkus-app/quarkus-run.jar >"$log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
fail() { echo "quickstart e2e FAILED: $*"; echo "--- worker log (tail)"; tail -n 60 "$log"; exit 1; }
trap stop EXIT

for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://localhost:$port/q/health/ready" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "the worker exited"
  sleep 1
done
curl -fsS -o /dev/null "http://localhost:$port/q/health/ready" || fail "the worker is not ready after 120 s"
echo "quickstart worker ready; its template as the orchestrator stores it:"
curl -fsS "${auth[@]}" "$api/v1/templates/quickstart/welcome/1.0.0" | jq -c '{namespace, name, version, step_count}'

name="Ada $(date +%s%N)"
task=$(curl -fsS -X POST "${auth[@]}" -H 'Content-Type: application/json' "$api/v1/tasks" \
  -d "{\"namespace\": \"quickstart\", \"name\": \"welcome\", \"version\": \"1.0.0\", \"context\": {\"name\": \"$name\"}}") \
  || fail "task creation was refused"
uuid=$(jq -r .task_uuid <<<"$task")
echo "created task $uuid for \"$name\""

status=""
for _ in $(seq 1 300); do
  view=$(curl -fsS "${auth[@]}" "$api/v1/tasks/$uuid")
  status=$(jq -r .status <<<"$view")
  [[ $status == complete || $status == error ]] && break
  sleep 0.2
done
[[ $status == complete ]] || fail "task $uuid ended '$status': $view"
jq -r '.steps[] | "  \(.name) -> \(.results | tostring)"' <<<"$view"
expected="HELLO, ${name^^}!"
message=$(jq -r '.steps[] | select(.name == "shout") | .results.message' <<<"$view")
[[ $message == "$expected" ]] || fail "shout returned '$message', not '$expected'"
echo "quickstart e2e: task $uuid complete through the quick-start worker's own template and handlers"
