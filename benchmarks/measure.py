"""Run one command in a fresh subprocess and measure it: wall time, CPU time, peak memory.

Peak memory is the child's ``ru_maxrss`` from ``os.wait4`` on that child alone, so it
is per run, not the maximum over every child so far (``RUSAGE_CHILDREN``). Linux
starts a child's ``ru_maxrss`` at the parent's resident size when it forks, so the
process that calls :func:`run_measured` must stay small: the benchmark driver imports
only the standard library before its measurements and :func:`run_measured` records
the caller's own peak so that the report can show it is far below every child's.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    """One finished subprocess: what it printed and what it cost."""

    command: list[str]
    returncode: int
    wall_s: float
    cpu_s: float  # user + system CPU time of the child
    peak_rss_bytes: int
    parent_peak_rss_bytes: int
    stdout: str
    stderr: str

    def check(self) -> "Measured":
        """Raise ``RuntimeError`` with the child's stderr if it failed."""
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-25:])
            raise RuntimeError(f"command failed with exit code {self.returncode}: {' '.join(self.command)}\n{tail}")
        return self


def run_measured(command: list[str], *, cwd: Path | None = None, timeout_s: float = 7200.0,
                 env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` to completion and measure it (see the module docstring).

    The child is killed after ``timeout_s`` seconds (its return code is then negative).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
        timer = threading.Timer(timeout_s, lambda: _kill(process.pid))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        out.seek(0)
        err.seek(0)
        return Measured(
            command=[str(c) for c in command],
            returncode=process.returncode,
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_bytes=_maxrss_bytes(usage.ru_maxrss),
            parent_peak_rss_bytes=_maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            stdout=out.read(),
            stderr=err.read(),
        )


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _maxrss_bytes(value: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    return int(value) if sys.platform == "darwin" else int(value) * 1024


def folder_bytes(folder: Path, names: list[str] | None = None) -> int:
    """Total size of the files in ``folder`` (only ``names`` when given)."""
    paths = [folder / n for n in names] if names is not None else [p for p in folder.iterdir() if p.is_file()]
    return sum(p.stat().st_size for p in paths)


def append_record(results: Path, record: dict) -> None:
    """Append ``record`` to the JSON-lines file ``results`` (its folder made if missing) and print it."""
    results.parent.mkdir(parents=True, exist_ok=True)
    with results.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    print(json.dumps(record), flush=True)
