"""A description of the machine and software a benchmark ran on (standard library only)."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

PACKAGES: tuple[str, ...] = ("numpy", "scipy", "scikit-learn", "pandas", "pyarrow", "nltk", "matplotlib")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def code_version(repo: Path) -> dict[str, str]:
    """The git commit and a digest of ``recommender/*.py`` as they were measured
    (the work tree may hold uncommitted changes)."""
    digest = hashlib.sha256()
    for path in sorted((repo / "recommender").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", "recommender"], cwd=repo, capture_output=True,
                                text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        commit, status = "unknown", []
    modified = [line[3:] for line in status if not line.startswith("??")]
    untracked = [line[3:] for line in status if line.startswith("??")]
    return {"commit": commit or "unknown", "recommender_modified": modified, "recommender_untracked": untracked,
            "recommender_sha256": digest.hexdigest()[:16]}


def describe(repo: Path) -> dict[str, object]:
    """Everything the report's machine section shows."""
    try:
        cores_usable = len(os.sched_getaffinity(0))
    except AttributeError:
        cores_usable = os.cpu_count() or 0
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": cores_usable,
        "memory_bytes": memory_bytes(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "packages": package_versions(),
        "blas_env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))},
        "load_average_start": load_average(),
        "code": code_version(repo),
    }
