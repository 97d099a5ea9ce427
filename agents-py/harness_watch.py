"""The reference worker's tie to the harness that started it (standard library only).

The harness starts each worker in a process group of its own, so a worker would outlive a harness
killed outright. watch_harness() makes it drain and exit then, as on SIGTERM, once.

It watches the harness's pid (VOICELOAD_HARNESS_PID), not the worker's own parent: behind
`sh -c "cd agents-py && python agent.py start"` the parent is a shell that dies of the very SIGTERM
that starts the drain, and a second SIGTERM makes LiveKit's worker exit at once ("exiting
forcefully"). Without that variable (a container, whose pid namespace cannot see the harness) it
watches its parent.
"""
from __future__ import annotations

import os
import signal
import threading
import time


def alive(pid: int) -> bool:
    """True while pid is a live process; a zombie (dead, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def watch_harness(every_s: float = 1.0) -> threading.Thread:
    """Sends this process SIGTERM once, when the harness (or, without its pid, the parent) is gone."""
    harness = int(os.environ.get("VOICELOAD_HARNESS_PID", "0") or 0)
    if harness and not alive(harness):
        harness = 0
    parent = os.getppid()

    def gone() -> bool:
        return not alive(harness) if harness else os.getppid() != parent

    def loop() -> None:
        while not gone():
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGTERM)

    t = threading.Thread(target=loop, name="voiceload-harness-watch", daemon=True)
    t.start()
    return t
