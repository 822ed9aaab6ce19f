"""A real Ray cluster on this machine for the tests: a head on a loopback port whose processes share
a session of their own, so a test finds and ends them without touching any other Ray here."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RAY = str(Path(sys.executable).parent / "ray")
TOKEN = uuid.uuid4().hex  # the test clusters' authentication token (Ray's default is token mode)


def ray_environment() -> dict[str, str]:
    """What a test's Ray processes, and the builds that join them, run with."""
    return {
        # Ray picks this machine's network address for a node unless told it is not a cluster
        # machine; its tests stay on loopback.
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": TOKEN,
    }


@dataclass
class Cluster:
    address: str
    session: int  # the session id of `ray start`, which every process of the cluster inherits

    def pids(self, name: str = "") -> list[int]:
        """This cluster's live processes whose command line (Ray retitles them) holds `name`."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if int(stat[3]) == self.session and stat[0] != "Z" and name in cmdline:
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def head(cpus: int = 2) -> Iterator[Cluster]:
    """`ray start --head` on a free loopback port; every process of it is killed afterwards."""
    port = free_port()
    command = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", f"--num-cpus={cpus}"]
    command += ["--include-dashboard=false", "--disable-usage-stats"]
    start = subprocess.Popen(
        command,
        env={**os.environ, **ray_environment()},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    cluster = Cluster(f"127.0.0.1:{port}", start.pid)
    try:
        output, _ = start.communicate(timeout=120)
        assert start.returncode == 0, output
        yield cluster
    finally:
        cluster.kill()
        deadline = time.monotonic() + 10
        while cluster.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
