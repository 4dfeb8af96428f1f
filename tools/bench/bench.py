#!/usr/bin/env python3
"""cmsim benchmark runner (BENCHMARKS.md, cmsim issue 10).

One command builds what is missing and produces every figure of BENCHMARKS.md:

    tools/bench/bench.py                       # 5 runs per workload and engine
    tools/bench/bench.py --runs 9 --markdown results.md --json results.json

Workloads (firmware/bench/ and the bundled blinky, all STM32F407); "cmsim+trace" is cmsim
with --trace exc,switch,tick,mmio to /dev/null:
    bench_cpu        CPU-bound mix; cmsim, cmsim+trace, the bare Unicorn loop (ceiling), QEMU
    bench_sched      8 tasks, 10 kHz SysTick, exits after 20000 ticks; cmsim, cmsim+trace, QEMU
    blinky           the F407 blinker, WFI idle, --blinky-for simulated; cmsim
    bench_busy_idle  the same blinker with a `for (;;) {}` idle task; cmsim

Per run it records the process wall time and peak RSS (wait4 of the child) and, for
cmsim, its --stats-json (instructions, cycles, exceptions, simulated and in-process wall
seconds); for the bare loop, the wall time of uc_emu_start alone. Every output line of the
workloads is checked (checksum, exit code 0), and QEMU must print the same line as cmsim.
Medians over the runs are reported; the ratios the issue asks for follow the table, then
the Google Benchmark micro-costs (bench_micro_costs) when that tool was built.

Timing runs belong on a quiet machine: other processes change every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QEMU_ARGS = ["-M", "netduinoplus2", "-icount", "shift=0,sleep=off", "-semihosting", "-nographic"]
CHECKSUM_LINE = re.compile(r"^(bench_\w+ .*checksum=0x[0-9a-f]{8})$", re.M)


@dataclass
class Run:
    wall: float  # process wall seconds
    rss_kib: int  # peak RSS of the process
    stats: dict = field(default_factory=dict)  # cmsim --stats-json or the bare loop's JSON
    line: str = ""  # the checksum line, when the workload prints one


@dataclass
class Cell:
    """One workload on one engine: its runs and the medians derived from them."""

    workload: str
    engine: str
    command: list[str]
    runs: list[Run] = field(default_factory=list)

    def median(self, f) -> float:
        return statistics.median(f(r) for r in self.runs)


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


def run_once(command: list[str], timeout: float) -> tuple[int, str, float, int]:
    """Runs command; returns exit code, stdout, wall seconds and peak RSS (KiB)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.perf_counter() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                fail(f"timed out after {timeout:.0f} s: {' '.join(command)}")
            time.sleep(0.001)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
    return os.waitstatus_to_exitcode(status), text, wall, usage.ru_maxrss


def build(build_dir: Path) -> None:
    if not (build_dir / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                       check=True)
    targets = ["cmsim", "firmware", "bench_bare_unicorn"]
    has_micro = "bench_micro_costs" in subprocess.run(
        ["cmake", "--build", str(build_dir), "--target", "help"], capture_output=True, text=True).stdout
    if has_micro:
        targets.append("bench_micro_costs")
    subprocess.run(["cmake", "--build", str(build_dir), "--target", *targets], check=True,
                   stdout=subprocess.DEVNULL)


def make_cells(args, build_dir: Path, stats_path: Path) -> list[Cell]:
    fw = build_dir / "firmware" / "f407"
    cmsim = [str(build_dir / "cmsim")]
    bare = [str(build_dir / "tools" / "bench" / "bench_bare_unicorn")]
    qemu = shutil.which(args.qemu) if not args.no_qemu else None

    def cmsim_cmd(elf: str, duration: str) -> list[str]:
        return cmsim + [str(fw / elf), "--board", "f407", "--for", duration, "-q", "--stats-json", str(stats_path)]

    cells = []
    for w in args.workloads:
        if w == "bench_cpu":
            cells.append(Cell(w, "cmsim", cmsim_cmd("bench_cpu.elf", "1000s")))
            cells.append(Cell(w, "bare-unicorn", bare + [str(fw / "bench_cpu.elf")]))
        elif w == "bench_sched":
            cells.append(Cell(w, "cmsim", cmsim_cmd("bench_sched.elf", "1000s")))
        elif w == "blinky":
            cells.append(Cell(w, "cmsim", cmsim_cmd("blinky.elf", args.blinky_for)))
        elif w == "bench_busy_idle":
            cells.append(Cell(w, "cmsim", cmsim_cmd("bench_busy_idle.elf", args.busy_idle_for)))
        # Tracing on (every category but the per-instruction one) to /dev/null: on bench_cpu,
        # which takes no exception and touches no peripheral, it must cost nothing.
        if w in ("bench_cpu", "bench_sched"):
            cells.append(Cell(w, "cmsim+trace", cmsim_cmd(f"{w}.elf", "1000s") +
                              ["--trace", "exc,switch,tick,mmio", "--trace-file", os.devnull]))
        # QEMU has no "run for N simulated seconds": only the images that exit run there.
        if qemu and w in ("bench_cpu", "bench_sched"):
            cells.append(Cell(w, "qemu", [qemu, *QEMU_ARGS, "-kernel", str(fw / f"{w}.elf")]))
    return cells


def measure(cell: Cell, stats_path: Path, timeout: float) -> Run:
    if stats_path.exists():
        stats_path.unlink()
    code, out, wall, rss = run_once(cell.command, timeout)
    if code != 0:
        fail(f"{cell.engine} on {cell.workload} exited with {code}: {' '.join(cell.command)}\n{out}")
    run = Run(wall, rss)
    m = CHECKSUM_LINE.search(out)
    run.line = m.group(1) if m else ""
    if cell.engine.startswith("cmsim"):
        run.stats = json.loads(stats_path.read_text())
    elif cell.engine == "bare-unicorn":
        run.stats = json.loads(out)
        if not run.stats.get("stopped_at_semihosting_bkpt"):
            fail(f"the bare loop did not stop at the semihosting BKPT: {out}")
    if cell.workload in ("bench_cpu", "bench_sched") and cell.engine != "bare-unicorn" and not run.line:
        fail(f"{cell.engine} on {cell.workload} printed no checksum line:\n{out}")
    return run


def fmt_num(v, digits=3) -> str:
    if v is None:
        return "—"
    if v == 0:
        return "0"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) >= 1000):
        return f"{int(v):,}"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def summarise(cells: list[Cell]) -> list[dict]:
    """Medians per cell. cmsim's counts (instructions, simulated time, exceptions) describe
    the workload; the other engines run the same instructions up to the same exit, so their
    rates use cmsim's counts (marked with `*` in the table)."""
    counts = {}
    for c in cells:
        if c.engine == "cmsim":
            s = c.runs[0].stats
            counts[c.workload] = (s["instructions"], s["simulated_seconds"], s["exceptions"])
    rows = []
    for c in cells:
        instructions, simulated, exceptions = counts.get(c.workload, (None, None, None))
        wall = c.median(lambda r: r.wall)
        if c.engine.startswith("cmsim"):
            emu = c.median(lambda r: r.stats["wall_seconds"])
        elif c.engine == "bare-unicorn":
            emu = c.median(lambda r: r.stats["wall_seconds"])
            simulated, exceptions = None, None  # no time base, no exceptions
        else:
            emu = None
        basis = emu if emu is not None else wall  # rates: emulation wall where known
        rows.append({
            "workload": c.workload,
            "engine": c.engine,
            "runs": len(c.runs),
            "derived": not c.engine.startswith("cmsim"),
            "instructions": instructions,
            "simulated_s": simulated,
            "process_wall_s": wall,
            "emulation_wall_s": emu,
            "mips": instructions / basis / 1e6 if instructions is not None else None,
            "sim_per_wall": simulated / basis if simulated is not None else None,
            "exc_per_wall": exceptions / basis if exceptions is not None else None,
            "peak_rss_mib": c.median(lambda r: r.rss_kib) / 1024,
            "line": c.runs[0].line,
        })
    return rows


def find(rows, workload, engine):
    return next((r for r in rows if r["workload"] == workload and r["engine"] == engine), None)


def ratios(rows, micro) -> list[tuple[str, str, str]]:
    """(what, measured, target and verdict) for each target of the issue."""
    out = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    cpu, bare = find(rows, "bench_cpu", "cmsim"), find(rows, "bench_cpu", "bare-unicorn")
    if cpu and bare:
        r = cpu["emulation_wall_s"] / bare["emulation_wall_s"]
        p = cpu["process_wall_s"] / bare["process_wall_s"]
        out.append(("bench_cpu: cmsim / bare Unicorn wall (emulation only; whole process)",
                    f"{r:.2f}x; {p:.2f}x", f"<= 1.25x: {verdict(r <= 1.25)}"))
    sched, qsched = find(rows, "bench_sched", "cmsim"), find(rows, "bench_sched", "qemu")
    if sched and qsched:
        r = qsched["process_wall_s"] / sched["process_wall_s"]
        out.append(("bench_sched: QEMU / cmsim process wall", f"{r:.2f}x", f"> 1 (cmsim ahead): {verdict(r > 1)}"))
    qcpu = find(rows, "bench_cpu", "qemu")
    if cpu and qcpu:
        out.append(("bench_cpu: QEMU / cmsim process wall", f"{qcpu['process_wall_s'] / cpu['process_wall_s']:.2f}x",
                    "(for information)"))
    for workload in ("bench_cpu", "bench_sched"):
        plain, traced = find(rows, workload, "cmsim"), find(rows, workload, "cmsim+trace")
        if plain and traced:
            r = traced["emulation_wall_s"] / plain["emulation_wall_s"]
            out.append((f"{workload}: cmsim wall with --trace exc,switch,tick,mmio / without", f"{r:.2f}x",
                        "≈ 1 on bench_cpu: no per-instruction cost" if workload == "bench_cpu"
                        else "(cost of tracing a switch-heavy run)"))
    wfi, busy = find(rows, "blinky", "cmsim"), find(rows, "bench_busy_idle", "cmsim")
    if wfi:
        out.append(("blinky (WFI idle): simulated s per wall s", fmt_num(wfi["sim_per_wall"]),
                    f">= 2000: {verdict(wfi['sim_per_wall'] >= 2000)}"))
    if wfi and busy:
        r = wfi["sim_per_wall"] / busy["sim_per_wall"]
        out.append(("busy-idle vs WFI blinky: slowdown in simulated s per wall s", f"{r:.2f}x",
                    f"<= 2x: {verdict(r <= 2)}"))
    if micro and "SvcEntryReturn" in micro:
        us = micro["SvcEntryReturn"]["per_entry_return"] * 1e6
        out.append(("exception entry + return (SVC loop, host time)", f"{us:.2f} us", f"<= 1.5 us: {verdict(us <= 1.5)}"))
    rss = [r["peak_rss_mib"] for r in rows if r["engine"] == "cmsim"]
    if rss:
        out.append(("cmsim peak RSS (F407, largest median)", f"{max(rss):.1f} MiB",
                    f"<= 64 MiB: {verdict(max(rss) <= 64)}"))
    return out


def run_micro(build_dir: Path, runs: int) -> dict:
    exe = build_dir / "tools" / "bench" / "bench_micro_costs"
    if not exe.exists():
        return {}
    out = subprocess.run([str(exe), f"--benchmark_repetitions={runs}", "--benchmark_report_aggregates_only=true",
                          "--benchmark_format=json"], capture_output=True, text=True, check=True).stdout
    # Medians of the repetitions; with one repetition the library reports no aggregates.
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median" or (runs == 1 and b.get("run_type") == "iteration"):
            result[b["run_name"]] = {k: v for k, v in b.items() if k.startswith("per_") and k != "per_family_instance_index"}
    return result


def machine_description() -> list[str]:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "?")
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    qemu = subprocess.run(["qemu-system-arm", "--version"], capture_output=True, text=True).stdout.splitlines()
    return [f"CPU: {model}, {os.cpu_count()} logical CPUs (nproc), load average {os.getloadavg()[0]:.2f} at the start",
            f"OS: {platform.platform()}; cmsim {rev or '?'}; {qemu[0] if qemu else 'no QEMU'}"]


HEADERS = ["workload", "engine", "instructions", "simulated s", "wall s (process)", "wall s (emulation)", "MIPS",
           "sim s / wall s", "exceptions / wall s", "peak RSS MiB"]


def table_cells(r) -> list[str]:
    def counted(key, digits=3):
        if r[key] is None:
            return "—"
        return fmt_num(r[key], digits) + ("*" if r["derived"] else "")

    return [r["workload"], r["engine"], counted("instructions"), counted("simulated_s", 6),
            f"{r['process_wall_s']:.3f}",
            f"{r['emulation_wall_s']:.3f}" if r["emulation_wall_s"] is not None else "—",
            counted("mips"), counted("sim_per_wall"), counted("exc_per_wall"), f"{r['peak_rss_mib']:.1f}"]


NOTES = [
    "Medians of {runs} runs. `wall s (process)`: the whole process (start-up, ELF load, run, exit), "
    "measured by the runner; `wall s (emulation)`: cmsim's own figure for the run (--stats-json: load, "
    "reset, emulation, summary) and the bare loop's uc_emu_start alone. Rates use the emulation wall where "
    "there is one, else the process wall (QEMU).",
    "`*`: the workload's own count from cmsim, used for an engine that cannot count: the bare loop and QEMU "
    "execute the same instructions up to the same exit (the bare loop stops at the first semihosting BKPT, "
    "a few hundred instructions earlier).",
    "QEMU: `{qemu}`; its guest clock and SysTick are not the F407's 16 MHz HSI, so only its wall time "
    "is compared, on the same ELF printing the same checksum line.",
]


def print_text(rows, rat, micro, runs) -> None:
    widths = [max(len(h), *(len(table_cells(r)[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    print("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(table_cells(r), widths)))
    print()
    for what, value, target in rat:
        print(f"{what}: {value}  [{target}]")
    for name, counters in micro.items():
        for k, v in counters.items():
            print(f"micro {name}: {k.replace('_', ' ')} {v * 1e9:.1f} ns")


def markdown(rows, rat, micro, args) -> str:
    qemu_cmd = "qemu-system-arm " + " ".join(QEMU_ARGS) + " -kernel ELF"
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
             f"`tools/bench/bench.py --runs {args.runs} --blinky-for {args.blinky_for} "
             f"--busy-idle-for {args.busy_idle_for}`.", ""]
    lines += [f"- {l}" for l in machine_description()]
    lines += ["", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in rows]
    lines += ["", "| target | measured | target and verdict |", "|---|---|---|"]
    lines += [f"| {w} | {v} | {t} |" for w, v, t in rat]
    if micro:
        lines += ["", "| micro-cost (bench_micro_costs, median) | host time |", "|---|---|"]
        for name, counters in micro.items():
            for k, v in counters.items():
                lines.append(f"| {name}: {k.replace('_', ' ')} | {v * 1e9:.1f} ns |")
    lines += [""] + ["- " + n.format(runs=args.runs, qemu=qemu_cmd) for n in NOTES]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs per workload and engine (default 5)")
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build", help="CMake build directory (default build/)")
    ap.add_argument("--no-build", action="store_true", help="do not (re)build cmsim, the firmware and the tools")
    ap.add_argument("--workloads", nargs="+", default=["bench_cpu", "bench_sched", "blinky", "bench_busy_idle"],
                    choices=["bench_cpu", "bench_sched", "blinky", "bench_busy_idle"])
    ap.add_argument("--blinky-for", default="300s", help="simulated time of the WFI blinky runs (default 300s)")
    ap.add_argument("--busy-idle-for", default="300s",
                    help="simulated time of the busy-idle blinky runs (default 300s; use e.g. 10s on a cmsim "
                         "without busy-loop detection)")
    ap.add_argument("--qemu", default="qemu-system-arm", help="QEMU executable (default qemu-system-arm)")
    ap.add_argument("--no-qemu", action="store_true", help="skip QEMU")
    ap.add_argument("--no-micro", action="store_true", help="skip the Google Benchmark micro-costs")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed per run (default 900)")
    ap.add_argument("--markdown", type=Path, help="also write the tables as markdown (for BENCHMARKS.md)")
    ap.add_argument("--json", type=Path, help="also write every run's raw figures as JSON")
    args = ap.parse_args()
    if args.runs < 1:
        fail("--runs must be at least 1")

    build_dir = args.build_dir.resolve()
    if not args.no_build:
        build(build_dir)
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        cells = make_cells(args, build_dir, stats_path)
        # Interleaved: run i of every engine on a workload before run i + 1, so a slow drift
        # of the machine touches all engines alike.
        for workload in args.workloads:
            group = [c for c in cells if c.workload == workload]
            for i in range(args.runs):
                for c in group:
                    print(f"bench: {workload} on {c.engine}, run {i + 1}/{args.runs}", file=sys.stderr)
                    c.runs.append(measure(c, stats_path, args.timeout))
    for workload in ("bench_cpu", "bench_sched"):
        lines = {r.line for c in cells if c.workload == workload and c.engine != "bare-unicorn" for r in c.runs}
        if len(lines) > 1:
            fail(f"{workload}: the engines or runs disagree: {sorted(lines)}")

    micro = {} if args.no_micro else run_micro(build_dir, args.runs)
    rows = summarise(cells)
    rat = ratios(rows, micro)
    print_text(rows, rat, micro, args.runs)
    if args.markdown:
        args.markdown.write_text(markdown(rows, rat, micro, args))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "ratios": rat, "micro": micro,
                                         "runs": [{"workload": c.workload, "engine": c.engine,
                                                   "command": c.command,
                                                   "runs": [r.__dict__ for r in c.runs]} for c in cells]},
                                        indent=2))


if __name__ == "__main__":
    main()
