#!/usr/bin/env python3
"""leadgate's end-to-end benchmark: leadgate over real sockets, and PostgreSQL alone.

    python3 bench/run.py                      # both backends, c = 1, 16, 64, 10 s per run
    BENCH_BINARY=/tmp/leadgate python3 bench/run.py   # a prebuilt binary instead of building
    BENCH_DURATION=5 BENCH_BACKENDS=postgres BENCH_CONCURRENCY="16" python3 bench/run.py

For each backend it builds the release binary, migrates a fresh database, imports the
documented checklist template, starts `leadgate serve`, preloads BENCH_PRELOAD (10,000)
leads, and drives four cases with wrk (installed from Debian when missing):

  create_full     createLead, the documented example, every payload field selected
  create_minimal  createLead selecting `lead { id }`
  read_lead       one lead with its checklist, 20 action logs and 3 matching leads
  page            leads(first: 50) with nested fields
  dry_run         createLead(dryRun: true) of the documented example, every payload field
                  (what a form calls on every change: reads only, no lock, nothing written)

each at every concurrency for a fixed time. On PostgreSQL it then runs the same SQL work
with pgbench (bench/pgbench/*.sql, prepared statements) as the ceiling. Per run it
records requests/s, p50/p99, SQL statements per request (from leadgate's /metrics when
it exports `leadgate_db_statements_total`), CPU seconds of leadgate and of PostgreSQL per
request (from /proc), and leadgate's peak RSS (VmHWM, reset before each run). Results go
to bench/results/results.json; bench/report.py prints the table and draws the chart.
Speed is only ever compared within one run: the machine is shared.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1 16 64").split()]
BACKENDS = os.environ.get("BENCH_BACKENDS", "postgres sqlite").split()
PRELOAD = int(os.environ.get("BENCH_PRELOAD", "10000"))
CASES = os.environ.get("BENCH_CASES", "create_full create_minimal read_lead page dry_run").split()
# Extra `serve` flags. By default the complexity limit is raised: the cases select every
# field of up to 100 action logs and 50 leads, which the default limit of 1000 refuses
# (each list counts as its page size).
SERVE_ARGS = os.environ.get("BENCH_SERVE_ARGS", "--max-complexity 1000000").split()
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Which pgbench script is the ceiling of which case (the targets: both creates
# against the createLead transaction, the read against the read).
CEILING = {"create_full": "create_lead", "create_minimal": "create_lead", "read_lead": "read_lead"}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_tools():
    missing = [p for p, cmd in (("wrk", "wrk"), ("postgresql-client", "pgbench")) if not shutil.which(cmd)]
    if missing:
        log(f"installing {' '.join(missing)} from Debian")
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, stdout=subprocess.DEVNULL)


def build():
    """The release binary: BENCH_BINARY when set (to compare two builds in one sitting),
    else built here."""
    if os.environ.get("BENCH_BINARY"):
        return Path(os.environ["BENCH_BINARY"]).resolve()
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "leadgate"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    out = subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def proc_cpu(pid, children=False):
    """utime + stime of a process, in seconds (0 when it is gone); with `children`, also
    the CPU of its children that exited and were reaped (cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def postgres_cpu():
    """CPU seconds of PostgreSQL: every running process (server, backends, workers) and
    the backends that already exited (pgbench's disconnect at its end), which the
    postmaster reaped into its children's time."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += proc_cpu(entry.name, children=True)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
    return total


def reset_peak_rss(pid):
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def http(port, path, body=None, key=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    request.add_header("content-type", "application/json")
    if key:
        request.add_header("x-api-key", key)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


def graphql(port, key, query, variables):
    answer = json.loads(http(port, "/graphql", {"query": query, "variables": variables}, key))
    if answer.get("errors"):
        raise RuntimeError(f"setup request failed: {answer['errors']}")
    return answer["data"]


def total_leads(port, key):
    return graphql(port, key, "{ leads { totalCount } }", {})["leads"]["totalCount"]


def statements_total(port):
    """leadgate's statement counter from /metrics, or None when it has none."""
    try:
        text = http(port, "/metrics")
    except Exception:
        return None
    for line in text.splitlines():
        if line.startswith("leadgate_db_statements_total"):
            return float(line.split()[-1])
    return None


class Server:
    def __init__(self, binary, database_url, env):
        self.binary, self.database_url, self.env = binary, database_url, env

    def cli(self, *args):
        out = subprocess.run([str(self.binary), *args], env=self.env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.strip().startswith("{") else out.stdout

    def start(self):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="leadgate-bench-", suffix=".log", delete=False)
        args = [str(self.binary), "serve", "--listen", f"127.0.0.1:{self.port}",
                "--rate-limit-per-second", "0", *SERVE_ARGS]
        self.process = subprocess.Popen(args, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(300):
            try:
                http(self.port, "/readyz")
                return
            except Exception:
                if self.process.poll() is not None:
                    raise RuntimeError(f"leadgate exited: {Path(self.log.name).read_text()[-2000:]}")
                time.sleep(0.1)
        raise RuntimeError("leadgate did not become ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)

    def locked_errors(self):
        return Path(self.log.name).read_text(errors="replace").count("database is locked")


def wrk(port, key, body_file, connections, duration, run=0):
    threads = max(1, min(2, connections))
    env = dict(os.environ, BENCH_BODY_FILE=str(body_file), BENCH_KEY=key, BENCH_RUN=str(run))
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
         "-s", str(BENCH / "wrk" / "graphql.lua"), f"http://127.0.0.1:{port}/graphql"],
        env=env, check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")


def prepare_read(server, key):
    """One lead with 20 action logs (its 'Lead created' and 19 messages) and 3 matches."""
    minimal = json.loads((BENCH / "queries" / "create_minimal.json").read_text())
    made = []
    for i in range(4):
        variables = json.loads(json.dumps(minimal["variables"])
                               .replace("{{EMAIL}}", "reader@example.com").replace("{{PHONE}}", "6782319992"))
        made.append(graphql(server.port, key, minimal["query"], variables)["createLead"]["lead"]["id"])
    lead = made[0]
    for i in range(19):
        graphql(server.port, key,
                "mutation($id: ID!, $body: String!) { recordMessage(input: { leadId: $id, direction: INBOUND, "
                "channel: EMAIL, subject: \"Re: documents\", body: $body }) { success } }",
                {"id": lead, "body": f"message {i}: the bank statement is attached"})
    body = (BENCH / "queries" / "read_lead.json").read_text().replace("{{LEAD_ID}}", lead)
    path = Path(tempfile.mkstemp(prefix="leadgate-bench-read-", suffix=".json")[1])
    path.write_text(body)
    return lead, path


def settle(database_url):
    """Before every measured run on PostgreSQL, leadgate's and pgbench's alike: VACUUM
    ANALYZE and a CHECKPOINT, so that no run pays (in PostgreSQL's CPU, which counts every
    server process) for the autovacuum, hint bits and dirty pages of the rows the runs
    before it wrote (the preload's 10,000 leads, the creates)."""
    if database_url.startswith("postgres"):
        psql(database_url, "VACUUM ANALYZE")
        psql(database_url, "CHECKPOINT")


def measure(server, key, case, body_file, connections, run):
    settle(server.database_url)
    before_stmt = statements_total(server.port)
    reset_peak_rss(server.process.pid)
    cpu_app, cpu_pg = proc_cpu(server.process.pid), postgres_cpu()
    result = wrk(server.port, key, body_file, connections, DURATION, run=run)
    cpu_app, cpu_pg = proc_cpu(server.process.pid) - cpu_app, postgres_cpu() - cpu_pg
    after_stmt = statements_total(server.port)
    n = max(result["requests"], 1)
    result.update(
        case=case, connections=connections, rps=result["requests"] / (result["duration_us"] / 1e6),
        cpu_app_ms=cpu_app / n * 1e3, cpu_db_ms=cpu_pg / n * 1e3, peak_rss_mib=peak_rss_mib(server.process.pid),
        # The /metrics scrape itself is not a statement; requests are.
        statements=None if before_stmt is None or after_stmt is None else (after_stmt - before_stmt) / n,
    )
    return result


def pgbench(database_url, script, variables, connections):
    settle(database_url)
    log_dir = Path(tempfile.mkdtemp(prefix="leadgate-pgbench-"))
    args = ["pgbench", "-n", "-M", "prepared", "-c", str(connections), "-j", str(max(1, min(2, connections))),
            "-T", str(DURATION), "-f", str(BENCH / "pgbench" / f"{script}.sql"), "-l",
            "--log-prefix", str(log_dir / "tx")]
    for name, value in variables.items():
        args += ["-D", f"{name}={value}"]
    cpu_pg = postgres_cpu()
    out = subprocess.run([*args, database_url], check=True, capture_output=True, text=True)
    cpu_pg = postgres_cpu() - cpu_pg
    latencies = sorted(int(line.split()[2]) for f in log_dir.iterdir() for line in f.read_text().splitlines())
    shutil.rmtree(log_dir)
    tps = next(float(line.split("=")[1].split()[0]) for line in out.stdout.splitlines() if line.startswith("tps ="))
    n = max(len(latencies), 1)
    return dict(case=script, connections=connections, rps=tps, requests=len(latencies),
                p50_us=latencies[n // 2] if latencies else 0, p99_us=latencies[min(n - 1, n * 99 // 100)] if latencies else 0,
                cpu_db_ms=cpu_pg / n * 1e3)


def run_backend(binary, backend):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGATE_")}
    env["LEADGATE_SIGNING_KEY"] = "bench-signing-key-0123456789abcdef0123456789abcdef"
    env["LEADGATE_LOG_FORMAT"] = "text"
    env["RUST_LOG"] = "warn"
    cleanup = None
    if backend == "postgres":
        name = f"leadgate_bench_{os.getpid()}"
        psql(PG_ADMIN, f'create database "{name}"')
        database_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        cleanup = lambda: psql(PG_ADMIN, f'drop database if exists "{name}" with (force)')
    else:
        folder = tempfile.mkdtemp(prefix="leadgate-bench-")
        database_url = f"sqlite://{folder}/bench.db?mode=rwc"
        cleanup = lambda: shutil.rmtree(folder)
    env["DATABASE_URL"] = database_url
    server = Server(binary, database_url, env)
    results = []
    try:
        server.cli("migrate")
        workspace = server.cli("workspace", "create", "--name", "bench")["id"]
        key = server.cli("api-key", "create", "--workspace", workspace)["key"]
        server.cli("checklist", "import", "--workspace", workspace, str(ROOT / "demo" / "checklist.json"))
        server.start()
        log(f"{backend}: preloading {PRELOAD} leads")
        # In rounds of a few seconds until the workspace holds PRELOAD leads (wrk has no
        # request count, and a thread that stops itself does not end the run).
        run = 0
        while total_leads(server.port, key) < PRELOAD:
            wrk(server.port, key, BENCH / "queries" / "create_minimal.json", 16, 3, run=run)
            run += 1
        lead, read_body = prepare_read(server, key)
        bodies = {"create_full": BENCH / "queries" / "create_full.json",
                  "create_minimal": BENCH / "queries" / "create_minimal.json",
                  "read_lead": read_body, "page": BENCH / "queries" / "page.json",
                  "dry_run": BENCH / "queries" / "dry_run.json"}
        for case in CASES:
            for connections in CONCURRENCY:
                log(f"{backend}: {case} c={connections}")
                result = measure(server, key, case, bodies[case], connections, run)
                result.update(backend=backend, tool="leadgate")
                results.append(result)
                run += 1
        if backend == "sqlite":
            for result in results:
                result["locked_errors"] = server.locked_errors()
        server.stop()
        if backend == "postgres":
            variables = pgbench_variables(database_url, workspace, key, lead)
            for script in sorted(set(CEILING[c] for c in CASES if c in CEILING)):
                for connections in CONCURRENCY:
                    log(f"{backend}: pgbench {script} c={connections}")
                    result = pgbench(database_url, script, variables, connections)
                    result.update(backend=backend, tool="pgbench")
                    results.append(result)
    finally:
        if server.__dict__.get("process") and server.process.poll() is None:
            server.stop()
        cleanup()
    return results


def pgbench_variables(database_url, workspace, key, lead):
    """What the pgbench scripts bind: the workspace, the key's lookup id, the template
    items, the read lead and its action logs."""
    lookup = psql(database_url, "select lookup from api_keys limit 1")
    items = psql(database_url, f"select id from checklist_items where workspace_id = '{workspace}' order by position").split()
    logs = psql(database_url, f"select id from action_logs where lead_id = '{lead}' order by created_at desc").split()
    return dict(ws=workspace, lookup=lookup, item1=items[0], item2=items[1], lead=lead,
                logs="{" + ",".join(logs) + "}", email="reader@example.com", phone="+16782319992")


def main():
    ensure_tools()
    binary = build()
    RESULTS.mkdir(exist_ok=True)
    machine = dict(cores=os.cpu_count(), kernel=os.uname().release,
                   cpu=next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                             if line.startswith("model name")), "?"),
                   load_before=os.getloadavg()[0], duration_s=DURATION)
    results = []
    for backend in BACKENDS:
        results += run_backend(binary, backend)
    (RESULTS / "results.json").write_text(json.dumps(dict(machine=machine, results=results), indent=1))
    subprocess.run([sys.executable, str(BENCH / "report.py"), str(RESULTS / "results.json")], check=True)


if __name__ == "__main__":
    main()
