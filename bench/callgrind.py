#!/usr/bin/env python3
"""Instructions per request, repeatable: leadgate (release, under valgrind's callgrind) on
a fresh PostgreSQL (or SQLite) database, a few warm-up requests, counters zeroed, then a
fixed number of requests of each case, one at a time, each case dumped to its own file.

    python3 bench/callgrind.py                       # 50 requests per case, PostgreSQL
    CALLGRIND_REQUESTS=20 CALLGRIND_BACKEND=sqlite python3 bench/callgrind.py

Prints instructions per request of leadgate per case (the process's whole work: HTTP,
GraphQL, the driver), and leaves the dumps in bench/results/callgrind/ for
`callgrind_annotate --inclusive=yes FILE`. Unlike wall-clock, these counts repeat run to
run (within a fraction of a percent), so they compare a change on a noisy machine.
Build with line tables for readable annotations:
`CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release`.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

# Under callgrind a request is 20-100 times slower (the first, building lazy statics such
# as the phone metadata, much more): the setup's calls get a long timeout.
_http = run.http
run.http = lambda port, path, body=None, key=None: _http(port, path, body, key, timeout=600)

REQUESTS = int(os.environ.get("CALLGRIND_REQUESTS", "50"))
BACKEND = os.environ.get("CALLGRIND_BACKEND", "postgres")
CASES = os.environ.get("CALLGRIND_CASES", "create_full create_minimal read_lead").split()
OUT = Path(os.environ.get("CALLGRIND_OUT", run.RESULTS / "callgrind"))


def body(case, n, read_body):
    if case == "read_lead":
        return json.loads(read_body.read_text())
    text = (run.BENCH / "queries" / f"{case}.json").read_text()
    text = text.replace("{{EMAIL}}", f"cg.{case}.{n}@example.com").replace("{{PHONE}}", f"678{5000000 + n}")
    return json.loads(text)


def control(pid, *args):
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def total_ir(path):
    for line in path.read_text().splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def main():
    binary = Path(os.environ.get("CALLGRIND_BINARY", run.ROOT / "target" / "release" / "leadgate"))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("callgrind.*"):
        old.unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    env.update(LEADGATE_SIGNING_KEY="bench-signing-key-0123456789abcdef0123456789abcdef",
               LEADGATE_LOG_FORMAT="text", RUST_LOG="warn")
    if BACKEND == "postgres":
        name = f"leadgate_callgrind_{os.getpid()}"
        run.psql(run.PG_ADMIN, f'create database "{name}"')
        env["DATABASE_URL"] = run.PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        cleanup = lambda: run.psql(run.PG_ADMIN, f'drop database if exists "{name}" with (force)')
    else:
        folder = tempfile.mkdtemp(prefix="leadgate-callgrind-")
        env["DATABASE_URL"] = f"sqlite://{folder}/bench.db?mode=rwc"
        cleanup = lambda: shutil.rmtree(folder)
    server = run.Server(binary, env["DATABASE_URL"], env)
    process = None
    try:
        server.cli("migrate")
        workspace = server.cli("workspace", "create", "--name", "bench")["id"]
        key = server.cli("api-key", "create", "--workspace", workspace)["key"]
        server.cli("checklist", "import", "--workspace", workspace, str(run.ROOT / "demo" / "checklist.json"))
        server.port = run.free_port()
        log = tempfile.NamedTemporaryFile(prefix="leadgate-callgrind-", suffix=".log", delete=False)
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={OUT}/callgrind.%p",
             "--dump-instr=no", "--collect-systime=no", str(binary), "serve",
             "--listen", f"127.0.0.1:{server.port}", "--rate-limit-per-second", "0",
             "--request-timeout", "600s", "--db-acquire-timeout", "300s", *run.SERVE_ARGS],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(600):
            try:
                run.http(server.port, "/readyz")
                break
            except Exception:
                if process.poll() is not None:
                    raise RuntimeError(Path(log.name).read_text()[-2000:])
                time.sleep(0.2)
        _, read_body = run.prepare_read(server, key)
        results = {}
        for case in CASES:
            for n in range(5):  # warm-up: pools, prepared statements, lazy statics
                run.http(server.port, "/graphql", body(case, 1000 + n, read_body), key)
            control(process.pid, "--zero")
            for n in range(REQUESTS):
                answer = json.loads(run.http(server.port, "/graphql", body(case, n, read_body), key))
                if answer.get("errors"):
                    raise RuntimeError(answer["errors"])
            control(process.pid, "--dump", case)
            time.sleep(0.5)
            dumps = sorted(OUT.glob("callgrind.*"), key=lambda p: p.stat().st_mtime)
            dump = dumps[-1]
            target = OUT / f"callgrind.{case}"
            dump.rename(target)
            results[case] = total_ir(target) / REQUESTS
            print(f"{case}: {results[case] / 1e6:.2f} M instructions per request ({REQUESTS} requests)", flush=True)
        (OUT / "summary.json").write_text(json.dumps(results, indent=2) + "\n")
    finally:
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for leftover in OUT.glob("callgrind.[0-9]*"):
            leftover.unlink()
        cleanup()


if __name__ == "__main__":
    main()
