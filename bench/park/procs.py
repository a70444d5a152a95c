"""What a process tree costs, read from /proc: its pids, CPU seconds and memory (PSS),
and a sampler of both per phase of a run."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from pathlib import Path


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant (threads' children included)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes and of their reaped children."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def pss_mb(pids: list[int]) -> float:
    """Proportional set size: shared pages (a forked worker's copy of Django) count once in all."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError):
            pass
    return total_kb / 1024


def pg_backends(db: str) -> list[int]:
    """Backends of one database, by their process title ("postgres: user db host(port) state")."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            title = Path(f"/proc/{entry}/cmdline").read_bytes()
            if title.startswith(b"postgres: ") and f" {db} ".encode() in title:
                found.append(int(entry))
    return found


class Memory:
    """PSS of named process groups every 0.5 s, peak and last per phase; CPU seconds per phase."""

    def __init__(self, groups) -> None:
        self.groups = groups  # () -> {name: [pids]}
        self.phase, self.peaks, self.last, self.cpu = "idle", {}, {}, {}
        self._pids, self._cpu_at, self._stop = groups(), None, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        now = {name: round(pss_mb(pids), 1) for name, pids in self._pids.items()}
        now["total"] = round(sum(now.values()), 1)
        peak = self.peaks.setdefault(self.phase, {})
        for name, value in now.items():
            peak[name] = max(peak.get(name, 0.0), value)
        self.last[self.phase] = now

    def _run(self) -> None:
        for n in itertools.count(1):
            if self._stop.wait(0.5):
                return
            if n % 10 == 0:  # new backends, a respawned worker
                self._pids = self.groups()
            self._sample()

    def set_phase(self, phase: str) -> None:
        self._pids = self.groups()
        self._sample()
        cpu = {name: cpu_seconds(pids) for name, pids in self._pids.items()}
        if self._cpu_at:
            self.cpu[self.phase] = {n: round(cpu.get(n, 0) - self._cpu_at.get(n, 0), 2) for n in cpu}
        self._cpu_at, self.phase = cpu, phase
        self._sample()  # a phase shorter than the interval still has a figure

    def __enter__(self) -> "Memory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.set_phase("done")
        self._stop.set()
        self._thread.join()

    def report(self) -> dict:
        return {"pss_mb_peak": self.peaks, "pss_mb_end_of_phase": self.last, "cpu_s": self.cpu}
