"""What a benchmark prints about the machine it ran on: figures mean little without it."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    """Cores, CPU model and Python version: figures mean little without them."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def load_average() -> str:
    """The 1/5/15-minute load average: other work on the machine skews every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def proc_stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards: state, ppid, …);
    the name is cut off first since it may hold spaces or parentheses."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        return handle.read().rsplit(")", 1)[1].split()


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (every process, the kernel's own work on
    namespaces included): a sandbox child's PID-1 process is reaped by init, outside any
    process's count of its children's time, and its jail is partly paid in kernel threads."""
    with open("/proc/stat", encoding="utf-8") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
