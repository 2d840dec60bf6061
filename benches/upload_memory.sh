#!/usr/bin/env bash
# How much a 10 x 100 MiB upload grows leadgate's memory: starts `leadgate serve` on a
# temp SQLite file (documents in the default folder next to it), uploads ten files of
# just under 100 MiB each through REST and then through GraphQL multipart, and prints the
# peak resident set (VmHWM) before and after each. A measurement, not a test: it asserts
# nothing. Usage: benches/upload_memory.sh [path/to/leadgate] (default target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/leadgate}"
[[ -x "$bin" ]] || cargo build -q
work=$(mktemp -d)
port="${PORT:-18089}"
export DATABASE_URL="sqlite://$work/leadgate.db?mode=rwc"
export LEADGATE_SIGNING_KEY="bench-signing-key-0123456789abcdef0123456789"
ws=$("$bin" workspace create --name bench | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
key=$("$bin" api-key create --workspace "$ws" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
"$bin" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

lead=$(curl -fs "http://127.0.0.1:$port/graphql" -H "x-api-key: $key" -H 'content-type: application/json' \
  -d '{"query":"mutation { createLead(input: {firstName: \"Bench\"}) { lead { id } } }"}' |
  sed -n 's/.*"id":"\([^"]*\)".*/\1/p')

# Ten PDFs of 100 MiB minus 16 bytes (the limit is 100 MiB).
size=$((100 * 1024 * 1024 - 16))
for i in $(seq 1 10); do
  { printf '%%PDF-1.7\n'; head -c $((size - 9)) /dev/zero; } >"$work/f$i.pdf"
done

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$pid/status"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

before=$(hwm)
args=(-F "leadId=$lead")
for i in $(seq 1 10); do args+=(-F "files=@$work/f$i.pdf;type=application/pdf"); done
start=$(date +%s.%N)
status=$(curl -s -o "$work/rest.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/documents" -H "x-api-key: $key" "${args[@]}")
end=$(date +%s.%N)
after=$(hwm)
echo "REST    10 x 100 MiB: HTTP $status in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }'); peak RSS $(mib "$before") -> $(mib "$after") (+$(mib $((after - before)))), RSS now $(mib "$(rss)")"

before=$(hwm)
files=$(for i in $(seq 0 9); do printf 'null%s' "$([[ $i -lt 9 ]] && echo ,)"; done)
map=$(for i in $(seq 0 9); do printf '"%d":["variables.files.%d"]%s' "$i" "$i" "$([[ $i -lt 9 ]] && echo ,)"; done)
ops="{\"query\":\"mutation(\$lead: ID!, \$files: [Upload!]!) { uploadDocuments(leadId: \$lead, files: \$files) { success } }\",\"variables\":{\"lead\":\"$lead\",\"files\":[$files]}}"
args=(-F "operations=$ops" -F "map={$map}")
for i in $(seq 0 9); do args+=(-F "$i=@$work/f$((i + 1)).pdf;type=application/pdf"); done
status=$(curl -s -o "$work/gql.json" -w '%{http_code}' "http://127.0.0.1:$port/graphql" -H "x-api-key: $key" "${args[@]}")
after=$(hwm)
echo "GraphQL 10 x 100 MiB: HTTP $status, $(grep -o '"success":true' "$work/gql.json" || cat "$work/gql.json"); peak RSS $(mib "$before") -> $(mib "$after") (+$(mib $((after - before))))"
echo "stored: $(find "$work/leadgate-documents" -type f | wc -l) objects, $(du -sm "$work/leadgate-documents" | cut -f1) MiB"
