#!/usr/bin/env python3
"""Prints bench/run.py's results as a table and draws them as one SVG chart.

    python3 bench/report.py bench/results/results.json   # writes bench/results/chart.svg

The ratio column is leadgate's requests/s over pgbench's transactions/s for the same SQL
work at the same concurrency, in the same run (see CEILING in run.py).
"""

import json
import sys
from pathlib import Path

CEILING = {"create_full": "create_lead", "create_minimal": "create_lead", "read_lead": "read_lead"}


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def table(data):
    rows = data["results"]
    ceiling = {(r["backend"], r["case"], r["connections"]): r for r in rows if r["tool"] == "pgbench"}
    lines = [
        "| backend | case | c | req/s | p50 ms | p99 ms | p99/p50 | stmt/req | leadgate CPU ms/req | PostgreSQL CPU ms/req | peak RSS MiB | errors | x pgbench |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = ceiling.get((r["backend"], CEILING.get(r["case"], ""), r["connections"])) if r["tool"] == "leadgate" else None
        ratio = r["rps"] / base["rps"] if base and base["rps"] else None
        errors = r.get("non2xx", 0) + r.get("socket_errors", 0) + r.get("graphql_errors", 0)
        name = r["case"] if r["tool"] == "leadgate" else f"pgbench {r['case']}"
        p50, p99 = r["p50_us"] / 1e3, r["p99_us"] / 1e3
        lines.append(
            f"| {r['backend']} | {name} | {r['connections']} | {r['rps']:.0f} | {p50:.2f} | {p99:.2f} | "
            f"{fmt(p99 / p50 if p50 else None, '.1f')} | {fmt(r.get('statements'), '.1f')} | "
            f"{fmt(r.get('cpu_app_ms'), '.2f')} | {fmt(r.get('cpu_db_ms') if r['backend'] == 'postgres' else None, '.2f')} | "
            f"{fmt(r.get('peak_rss_mib'), '.0f')} | {errors if r['tool'] == 'leadgate' else '-'} | {fmt(ratio, '.2f')} |")
    locked = {r.get("locked_errors") for r in rows if r["backend"] == "sqlite" and "locked_errors" in r}
    footer = f"\nSQLite 'database is locked' in leadgate's log: {max(locked)}" if locked else ""
    m = data["machine"]
    header = f"{m['cores']} cores, {m['cpu']}, kernel {m['kernel']}, load {m['load_before']:.1f} before, {m['duration_s']} s per run\n"
    return header + "\n".join(lines) + footer


def chart(data, path):
    """Grouped bars: requests/s per case and concurrency, leadgate per backend beside
    pgbench, on a log scale so 50 and 5,000 both read."""
    import math

    rows = data["results"]
    groups = []
    for r in rows:
        key = (CEILING.get(r["case"], r["case"]) if r["tool"] == "pgbench" else r["case"], r["connections"])
        if r["tool"] == "leadgate" and key not in groups:
            groups.append(key)
    series = [("leadgate postgres", "#2b6cb0", lambda r: r["tool"] == "leadgate" and r["backend"] == "postgres"),
              ("leadgate sqlite", "#38a169", lambda r: r["tool"] == "leadgate" and r["backend"] == "sqlite"),
              ("pgbench, same SQL", "#a0aec0", lambda r: r["tool"] == "pgbench")]

    def value(group, test):
        case, c = group
        for r in rows:
            if test(r) and r["connections"] == c and (r["case"] == case or (r["tool"] == "pgbench" and CEILING.get(case) == r["case"])):
                return r["rps"]
        return None

    width, height, left, bottom, top = 60 + 70 * len(groups), 360, 60, 70, 40
    top_value = max((value(g, t) or 1) for g in groups for _, _, t in series)
    scale_max = math.log10(max(top_value, 10)) + 0.2

    def y(v):
        return top + (height - top - bottom) * (1 - math.log10(max(v, 1)) / scale_max)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="20" font-size="14">leadgate vs pgbench: requests/s (log scale), one run</text>']
    for power in range(0, int(scale_max) + 1):
        v = 10 ** power
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{left - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{v:,}</text>')
    for i, group in enumerate(groups):
        x0 = left + 10 + i * 70
        for j, (_, colour, test) in enumerate(series):
            v = value(group, test)
            if v:
                out.append(f'<rect x="{x0 + j * 18}" y="{y(v):.1f}" width="16" height="{height - bottom - y(v):.1f}" fill="{colour}">'
                           f'<title>{v:.0f}</title></rect>')
        out.append(f'<text x="{x0 + 27}" y="{height - bottom + 14}" text-anchor="middle">{group[0]}</text>')
        out.append(f'<text x="{x0 + 27}" y="{height - bottom + 28}" text-anchor="middle">c={group[1]}</text>')
    for j, (name, colour, _) in enumerate(series):
        out.append(f'<rect x="{left + j * 150}" y="{height - 22}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{left + j * 150 + 14}" y="{height - 13}">{name}</text>')
    out.append("</svg>")
    path.write_text("\n".join(out))


def main():
    source = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results" / "results.json")
    data = json.loads(source.read_text())
    print(table(data))
    chart(data, source.parent / "chart.svg")
    print(f"\nchart: {source.parent / 'chart.svg'}")


if __name__ == "__main__":
    main()
