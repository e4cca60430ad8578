#!/usr/bin/env bash
# The end of `make demo`: start the API on the demo data, make one real request with a
# fresh admin key, print it so it can be repeated, and keep the API in the foreground.
set -euo pipefail
DATA=${1:-data/mataram}
PORT=${PORT:-8000}
PENATAAN=.venv/bin/penataan
PY=.venv/bin/python

$PENATAAN keys revoke demo >/dev/null 2>&1 || true
KEY=$($PENATAAN keys create --role admin --name demo | tail -1)
# someone with a move suggested, so the example shows what a suggestion carries; else
# someone with at least three eligible units, so it shows moves, not only staying
NIP=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["suggested"] == "True" && $col["is_current"] == "False" { print $1; exit }' "$DATA-scores.csv")
[ -n "$NIP" ] || NIP=$(awk -F, 'NR > 1 && ++seen[$1] == 3 { print $1; exit }' "$DATA-scores.csv")

$PENATAAN serve --data "$DATA" --port "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
echo "waiting for the API to load the model and build candidate rows..."
until $PY -c "import httpx, sys; sys.exit(httpx.get('http://127.0.0.1:$PORT/ready').status_code != 200)" 2>/dev/null; do
    kill -0 $SERVER 2>/dev/null || { echo "the API did not start" >&2; exit 1; }
    sleep 1
done

BODY="{\"nip\": \"$NIP\", \"top_k\": 3, \"lang\": \"en\"}"
echo
echo "Example request (the key was created for this demo; keep it or revoke it with 'penataan keys revoke demo'):"
echo "  curl -s -X POST http://127.0.0.1:$PORT/v1/recommend -H 'X-API-Key: $KEY' -H 'Content-Type: application/json' -d '$BODY'"
echo
$PY - "$PORT" "$KEY" "$BODY" <<'PYTHON'
import json, sys
import httpx
port, key, body = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
r = httpx.post(f"http://127.0.0.1:{port}/v1/recommend", json=body, headers={"X-API-Key": key}, timeout=30)
print(f"HTTP {r.status_code}")
answer = r.json()
if answer.get("pilot"):
    basis = "a pilot, beyond the evidence: its narrative says why"
else:
    basis = f"suggested moves must help in {answer.get('precision', 0):.0%} of cases"
print(f"decision: {answer.get('decision')} ({basis})")
for s in answer.get("suggestions", []):
    head = (f"  #{s['rank']} {s['unit_name']}: predicted {s['predicted_score']:.1f} "
            f"[{s['interval']['low']:.1f}, {s['interval']['high']:.1f}]")
    gain = s["gain_interval"]
    if s["is_current"] or gain is None:  # staying is the reference: no gain to state
        print(f"{head}, the current unit")
    else:
        print(f"{head}, gain {s['gain']:+.2f} [{gain['low']:+.1f}, {gain['high']:+.1f}], "
              f"helps with probability {s['probability_helps']:.0%}"
              f"{'; suggested' if s['suggested'] else ''}{' as a pilot' if s.get('pilot') else ''}")
    print(f"     {s['explanation']['narrative']}")
print(f"model {answer['model']['name']} v{answer['model']['version']}; {answer['advisory']}")
PYTHON
echo
echo "The pages: http://127.0.0.1:$PORT/ui/ (log in with the key $KEY)"
echo "The API is up on http://127.0.0.1:$PORT (OpenAPI docs at /docs, offline). Ctrl-C stops it."
wait $SERVER
