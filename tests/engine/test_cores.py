"""--jobs auto: the CPUs this process may run on, capped by its control groups' CPU quota
(a CI pod limited to 2 CPUs on a 64-core node must start 2 workers, not 64).

The cgroup files are written as the kernel publishes them, in a temporary tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policylint.engine import cores
from policylint.engine.cores import cgroup_cpu_quota, usable_cores


def _tree(tmp_path: Path, proc: str, files: dict[str, str]) -> dict[str, Path]:
    root = tmp_path / "cgroup"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc_cgroup = tmp_path / "proc-self-cgroup"
    proc_cgroup.write_text(proc, encoding="utf-8")
    return {"root": root, "proc_cgroup": proc_cgroup}


@pytest.fixture
def sixty_four(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64-CPU node: the affinity lists every CPU."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)), raising=False)


@pytest.mark.parametrize(("cpu_max", "expected"), [
    ("200000 100000\n", 2),
    ("150000 100000\n", 2),  # 1.5 CPUs: two workers, each gets most of one
    ("50000 100000\n", 1),
    ("max 100000\n", 64),  # no quota
])
def test_a_cgroup_v2_quota_caps_the_workers(tmp_path: Path, sixty_four: None, cpu_max: str,
                                            expected: int) -> None:
    where = _tree(tmp_path, "0::/\n", {"cpu.max": cpu_max})
    assert usable_cores(**where) == expected


def test_a_quota_above_the_process_group_counts(tmp_path: Path, sixty_four: None) -> None:
    """A systemd unit's quota (CPUQuota=300%) holds for every group below it."""
    where = _tree(tmp_path, "0::/system.slice/mailmerge.service/job\n", {
        "system.slice/mailmerge.service/cpu.max": "300000 100000\n",
        "system.slice/mailmerge.service/job/cpu.max": "max 100000\n",
        "system.slice/cpu.max": "max 100000\n",
    })
    assert cgroup_cpu_quota(**where) == 3
    assert usable_cores(**where) == 3


@pytest.mark.parametrize(("quota", "expected"), [("400000", 4), ("-1", 64)])
def test_a_cgroup_v1_quota_caps_the_workers(tmp_path: Path, sixty_four: None, quota: str,
                                            expected: int) -> None:
    """Docker on cgroup v1: the container's own group is mounted at cpu/ although
    /proc/self/cgroup names the host's path (/docker/<id>)."""
    where = _tree(tmp_path, "12:cpu,cpuacct:/docker/3f2a9c\n4:memory:/docker/3f2a9c\n", {
        "cpu,cpuacct/cpu.cfs_quota_us": quota + "\n",
        "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    })
    assert usable_cores(**where) == expected


def test_the_affinity_wins_when_it_is_smaller(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    where = _tree(tmp_path, "0::/\n", {"cpu.max": "800000 100000\n"})
    assert usable_cores(**where) == 2


@pytest.mark.parametrize("files", [
    {},  # no cgroup files at all (not Linux, or no cpu controller)
    {"cpu.max": "garbage\n"},
    {"cpu.max": "0 100000\n"},
    {"cpu.max": "200000 0\n"},
])
def test_what_does_not_read_as_a_quota_sets_no_limit(tmp_path: Path, sixty_four: None,
                                                     files: dict[str, str]) -> None:
    where = _tree(tmp_path, "0::/\n", files)
    assert cgroup_cpu_quota(**where) is None
    assert usable_cores(**where) == 64


def test_without_proc_self_cgroup_the_affinity_counts(tmp_path: Path, sixty_four: None
                                                      ) -> None:
    assert usable_cores(root=tmp_path, proc_cgroup=tmp_path / "missing") == 64


def test_this_machine_gets_at_least_one_core_and_no_more_than_it_may_run_on() -> None:
    found = usable_cores()
    assert 1 <= found <= cores._affinity()


def test_jobs_auto_starts_no_more_workers_than_the_quota(monkeypatch: pytest.MonkeyPatch,
                                                        sixty_four: None) -> None:
    """The command line's `--jobs auto` goes through usable_cores: a quota of one CPU on a
    64-CPU node checks in one process."""
    from policylint.engine import runner
    from tests.engine.chunked import EXAMPLES, run

    asked: list[int] = []
    check = runner.run_check_parallel

    def counting(request: runner.CheckRequest, jobs: int, executor: object = None
                 ) -> runner.Outcome:
        asked.append(jobs)
        return check(request, 1)  # the count is what is tested: no 64 workers here

    monkeypatch.setattr(runner, "run_check_parallel", counting)
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda **_: 1)
    assert run(EXAMPLES, "--jobs", "auto", monkeypatch=monkeypatch).exit_code == 1
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda **_: None)
    assert run(EXAMPLES, "--jobs", "auto", monkeypatch=monkeypatch).exit_code == 1
    assert asked == [1, 64]
