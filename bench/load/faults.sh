#!/bin/sh
# Fault run (bench/README.md "faults"): the load scenario for RUN_TIME while one gunicorn
# worker is killed with SIGKILL (at KILL_AT s) and PostgreSQL is restarted (at RESTART_AT s),
# then bench/load/check_sequences.py on the database. PostgreSQL is started again on exit,
# whatever happens. Needs: gunicorn running (bench/load/serve.sh, PIDFILE), DATABASE_URL,
# LOAD_DATA; OUT (default /tmp/load_faults) receives the CSVs, the ledger and the log.
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT="${OUT:-/tmp/load_faults}"; PIDFILE="${PIDFILE:-/tmp/load_gunicorn.pid}"
HOST="${HOST:-http://127.0.0.1:8000}"; RUN_TIME="${RUN_TIME:-150}"
KILL_AT="${KILL_AT:-40}"; RESTART_AT="${RESTART_AT:-80}"
PG_VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -1)}"
mkdir -p "$OUT"; rm -f "$OUT"/*
trap 'pg_ctlcluster "$PG_VERSION" main start 2>/dev/null; pg_ctlcluster "$PG_VERSION" main status >/dev/null && echo "PostgreSQL $PG_VERSION: running"' EXIT
LOAD_LEDGER="$OUT/ledger.csv" uv run locust -f bench/load/locustfile.py --headless -H "$HOST" \
    -u "${USERS:-40}" -r 10 -t "${RUN_TIME}s" --csv "$OUT/run" --only-summary \
    > "$OUT/locust.log" 2>&1 &
LOCUST=$!
start=$(date +%s)
sleep "$KILL_AT"
WORKER=$(pgrep -P "$(cat "$PIDFILE")" | head -1)
echo "$(date +%T) +$(( $(date +%s) - start ))s SIGKILL gunicorn worker $WORKER" | tee "$OUT/faults.log"
kill -KILL "$WORKER"
sleep $(( RESTART_AT - KILL_AT ))
echo "$(date +%T) +$(( $(date +%s) - start ))s pg_ctlcluster $PG_VERSION main restart" | tee -a "$OUT/faults.log"
pg_ctlcluster "$PG_VERSION" main restart
echo "$(date +%T) +$(( $(date +%s) - start ))s PostgreSQL back" | tee -a "$OUT/faults.log"
wait "$LOCUST"
echo "locust exit: $?" | tee -a "$OUT/faults.log"
uv run python bench/load/check_sequences.py --ledger "$OUT/ledger.csv" | tee "$OUT/check.txt"
