"""How many cores this process may use: what ``--jobs auto`` starts.

The CPUs it may be scheduled on (its affinity), capped by the CPU time its control
group allows: a CI job in a container limited to 2 CPUs on a 64-core node sees 64
CPUs, and 64 workers (each with its own caches and indexes) would only share 2 CPUs'
time and multiply the memory. The quota is read as the kernel publishes it, the way
loky's ``cpu_count`` (joblib) and the JVM read it: cgroup v2's ``cpu.max`` ("200000
100000": 2 CPUs; "max": none), cgroup v1's ``cpu.cfs_quota_us`` over
``cpu.cfs_period_us`` (-1: none), in this process's group and every group above it,
a fraction rounded up (1.5 CPUs: 2 workers). A file that is missing or does not read
as a quota sets no limit (this can only fail towards the affinity's count).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def usable_cores(*, root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    """The CPUs this process may run on, capped by its control groups' CPU quota."""
    cores = _affinity()
    quota = cgroup_cpu_quota(root=root, proc_cgroup=proc_cgroup)
    if quota is not None:
        cores = min(cores, quota)
    return max(cores, 1)


def _affinity() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cgroup_cpu_quota(*, root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP
                     ) -> int | None:
    """The fewest whole CPUs any control group of this process allows (None: no quota,
    or not Linux)."""
    try:
        lines = proc_cgroup.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found = [quota for line in lines for quota in _quotas(root, line)]
    return min(found) if found else None


def _quotas(root: Path, line: str) -> Iterator[int]:
    """The quotas of one line of /proc/self/cgroup (``id:controllers:path``)."""
    parts = line.split(":", 2)
    if len(parts) != 3:
        return
    _, controllers, path = parts
    if controllers == "":  # cgroup v2: one hierarchy, mounted at the root
        for directory in _groups(root, path):
            quota = _v2_quota(directory / "cpu.max")
            if quota is not None:
                yield quota
    elif "cpu" in controllers.split(","):  # cgroup v1: the cpu controller's hierarchy
        for mount in dict.fromkeys((root / "cpu", root / controllers)):  # "cpu": once
            for directory in _groups(mount, path):
                quota = _v1_quota(directory)
                if quota is not None:
                    yield quota


def _groups(mount: Path, path: str) -> Iterator[Path]:
    """The process's group under ``mount`` and each group above it, up to the mount.
    A container often sees its own group at the mount itself (the path it is told,
    ``/docker/<id>``, is the host's), so the mount is always looked at."""
    relative = PurePosixPath(path.strip() or "/").relative_to("/")
    for part in (relative, *relative.parents):  # "a/b", "a", "."
        yield mount / part


def _v2_quota(path: Path) -> int | None:
    try:
        quota, period = path.read_text(encoding="utf-8").split()
        if quota == "max":
            return None
        return _whole_cpus(int(quota), int(period))
    except (OSError, ValueError):
        return None


def _v1_quota(directory: Path) -> int | None:
    try:
        quota = int((directory / "cpu.cfs_quota_us").read_text(encoding="utf-8"))
        period = int((directory / "cpu.cfs_period_us").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _whole_cpus(quota, period)


def _whole_cpus(quota: int, period: int) -> int | None:
    if quota <= 0 or period <= 0:
        return None  # -1: no limit
    return max(math.ceil(quota / period), 1)
