"""Report renderer benchmark: worker time and peak memory for the seed report and a 5,000-unit campaign.

    python bench/reports.py [--units N] [--repeats N]

Each scenario runs in a fresh child process (so peak RSS is its own): the first render_all() there is "cold"
(font scan, template load, first typst compile) and later ones are "warm", as in a long-lived worker. The
targets use the cold time, and peak memory is the child's maximum resident set (ru_maxrss) after its first
render, which counts the interpreter, the libraries and typst's Rust heap, not only Python objects.
"after all" is the same after every repeat: typst keeps layout caches between compiles, so a long-lived
worker grows.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"seed_render_seconds": 1.0, "units5000_render_seconds": 20.0, "peak_memory_mb": 500.0}


def child(scenario: str, units: int, repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from services.seed.letter import large_model, seed_model
    from workers.reports import docx_bytes, pdf_bytes, render_all, xlsx_bytes

    model = seed_model() if scenario == "seed" else large_model(units)
    runs, sizes, first_peak = [], {}, 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        out = render_all(model)
        runs.append(time.perf_counter() - start)
        sizes = {fmt: len(a.data) for fmt, a in out.items()}
        first_peak = first_peak or peak_rss_mb()
    per_format = {}
    for fmt, render in (("docx", docx_bytes), ("pdf", pdf_bytes), ("xlsx", xlsx_bytes)):
        start = time.perf_counter()
        render(model)
        per_format[fmt] = time.perf_counter() - start
    rows = sum(len(a.table.rows) for a in model.annexes)
    return {
        "scenario": scenario,
        "units": rows,
        "cold_s": runs[0],
        "warm_s": statistics.median(runs[1:]) if len(runs) > 1 else runs[0],
        "per_format_warm_s": per_format,
        "bytes": sizes,
        "peak_rss_mb": first_peak,
        "peak_rss_end_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(scenario: str, units: int, repeats: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", scenario, "--units", str(units), "--repeats", str(repeats)]
    done = subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT, timeout=600)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def target(name: str, measured: float) -> str:
    ratio = GOALS[name] / measured
    return f"TARGET {name} ratio={ratio:.2f} goal>=1.0 {'PASS' if ratio >= 1.0 else 'FAIL'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=["seed", "large"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.units, args.repeats)))
        return

    results = [run_child("seed", args.units, args.repeats), run_child("large", args.units, args.repeats)]
    header = ("scenario", "units", "cold s", "warm s", "docx s", "pdf s", "xlsx s", "pdf KB", "peak MB",
              "after all MB")  # fmt: skip
    rows = [
        (
            r["scenario"], str(r["units"]), f"{r['cold_s']:.3f}", f"{r['warm_s']:.3f}",
            *(f"{r['per_format_warm_s'][f]:.3f}" for f in ("docx", "pdf", "xlsx")),
            str(r["bytes"]["pdf"] // 1024), f"{r['peak_rss_mb']:.0f}", f"{r['peak_rss_end_mb']:.0f}",
        )
        for r in results
    ]  # fmt: skip
    widths = [max(len(c) for c in col) for col in zip(header, *rows, strict=True)]
    for line in (header, *rows):
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
    seed, large = results
    print(target("seed_render_seconds", seed["cold_s"]))
    print(target("units5000_render_seconds", large["cold_s"]))
    print(target("peak_memory_mb", max(r["peak_rss_mb"] for r in results)))


if __name__ == "__main__":
    main()
