#!/usr/bin/env python3
"""Bulk import throughput: `leadgate leads import` of a generated CSV, rows/s.

    python3 bench/import.py                        # 100,000 rows, SQLite and PostgreSQL, release build
    BENCH_IMPORT_ROWS=5000 BENCH_IMPORT_PROFILE=debug python3 bench/import.py

For each backend (BENCH_BACKENDS, default "sqlite postgres") it migrates a fresh database
(a temp file; a new PostgreSQL database next to BENCH_POSTGRES_URL, dropped after),
creates a workspace with the documented checklist template, writes a CSV of
BENCH_IMPORT_ROWS distinct people (every lead field the file format has, two tags, both
checklist items), runs the import once with CREATE and once more with --on-duplicate skip
(every row then a duplicate), and reports rows/s and the command's peak RSS (from
/usr/bin/time when present). Results go to bench/results/import.json. Speed is only
compared within one run: the machine is shared.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
PROFILE = os.environ.get("BENCH_IMPORT_PROFILE", "release")
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite postgres").split()
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def binary():
    # A prebuilt binary (e.g. one built for bench/run.py) skips the build.
    if os.environ.get("BENCH_IMPORT_BINARY"):
        return Path(os.environ["BENCH_IMPORT_BINARY"])
    args = ["cargo", "build", "-q"] + (["--release"] if PROFILE == "release" else [])
    subprocess.run(args, cwd=ROOT, check=True)
    return ROOT / "target" / ("release" if PROFILE == "release" else "debug") / "leadgate"


def run(bin_, url, args):
    env = dict(os.environ, DATABASE_URL=url, LEADGATE_LOG="warn")
    timed = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    out = subprocess.run(timed + [str(bin_)] + args, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"leadgate {' '.join(args)} failed: {out.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return json.loads(out.stdout), (int(rss.group(1)) // 1024 if rss else None)


def write_csv(path):
    with open(path, "w") as f:
        f.write("firstName,lastName,email,phoneNumber,businessName,assigneeType,tags,"
                "checklist.business_name,checklist.tax_id\n")
        for i in range(ROWS):
            f.write(f"Person {i},Last {i},person{i}@example.com,+1{2012000000 + i},"
                    f"Business {i},manual,import;t{i % 10},Business {i},12-3456789\n")


def database(backend, tmp):
    if backend == "sqlite":
        return f"sqlite://{tmp}/import.db?mode=rwc", lambda: None
    name = f"leadgate_bench_import_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", PG_ADMIN, "-qAtc", f'create database "{name}"'], check=True)
    base = PG_ADMIN.rsplit("/", 1)[0]
    drop = lambda: subprocess.run(["psql", PG_ADMIN, "-qAtc", f'drop database if exists "{name}" with (force)'])
    return f"{base}/{name}", drop


def main():
    bin_ = binary()
    results = {"rows": ROWS, "profile": PROFILE, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "leads.csv"
        write_csv(csv_path)
        for backend in BACKENDS:
            url, cleanup = database(backend, tmp)
            try:
                ws, _ = run(bin_, url, ["workspace", "create", "--name", "bench import"])
                run(bin_, url, ["checklist", "import", "--workspace", ws["id"], str(ROOT / "demo" / "checklist.json")])
                for policy in ("create", "skip"):
                    started = time.monotonic()
                    summary, rss = run(bin_, url, ["leads", "import", "--workspace", ws["id"], str(csv_path),
                                                   "--on-duplicate", policy])
                    wall = time.monotonic() - started
                    run_ = {"backend": backend, "policy": policy, "rows": summary["rows"],
                            "created": summary["created"], "skipped": summary["skipped"],
                            "refused": summary["refused"], "seconds": round(summary["seconds"], 2),
                            "rowsPerSecond": round(summary["rowsPerSecond"]), "wallSeconds": round(wall, 2),
                            "peakRssMiB": rss}
                    results["runs"].append(run_)
                    print(json.dumps(run_))
            finally:
                cleanup()
                if backend == "sqlite":
                    for f in Path(tmp).glob("import.db*"):
                        f.unlink()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "import.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
