"""voiceload's report-socket client for Python agents (protocol v1, docs/report-protocol.md).

Two lines in your own agent measure it the way voiceload measures its reference agents:

    from voiceload_report import report_job      # this file, copied beside your agent
    rep = report_job(ctx)                         # first line of your entrypoint; then rep.vad(...)

Without VOICELOAD_REPORT_SOCKET in the environment (not run by voiceload) every call is a no-op.
Lines are JSON, one per report; times are epoch ms. Nothing here ever raises into the agent.
"""
from __future__ import annotations

import json
import math
import os
import socket
import time
from typing import Any

PROTOCOL = 1
"""The report protocol version this client speaks (sent in every 'job' line)."""


def epoch_ms() -> float:
    return time.time() * 1000.0


class Histogram:
    """voiceload's latency histogram: bucket i holds (i*b, (i+1)*b] ms, bucket 0 also holds 0."""

    def __init__(self, bucket_ms: float = 0.1, max_ms: float = 2000.0) -> None:
        self.bucket_ms, self.max_ms = bucket_ms, max_ms
        self.counts: list[int] = []
        self.overflow = 0
        self.count = 0

    def record(self, ms: float) -> None:
        self.count += 1
        if ms > self.max_ms:
            self.overflow += 1
            return
        i = max(0, math.ceil(round(ms / self.bucket_ms, 9)) - 1)
        while len(self.counts) <= i:
            self.counts.append(0)
        self.counts[i] += 1

    def data(self) -> dict[str, Any]:
        return {"bucketMs": self.bucket_ms, "counts": self.counts, "overflow": self.overflow, "count": self.count, "maxMs": self.max_ms}


class Reporter:
    """One connection to the harness's unix socket; send() writes one JSON line."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path if path is not None else os.environ.get("VOICELOAD_REPORT_SOCKET")
        self.worker = int(os.environ.get("VOICELOAD_WORKER_INDEX", "-1"))
        self.session = -1
        self.sock: socket.socket | None = None
        if self.path:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self.path)
            except OSError:
                self.sock = None

    def send(self, msg: dict[str, Any]) -> None:
        if self.sock is None:
            return
        try:
            self.sock.sendall((json.dumps(msg) + "\n").encode())
        except OSError:
            self.sock = None

    def agent(self, msg: dict[str, Any]) -> None:
        """A measurement of the session's agent (joined, listening, vad, stats, error)."""
        self.send({"type": "agent", "worker": self.worker, "session": self.session, "msg": msg})

    def job(self, session: int, job_id: str) -> None:
        self.session = session
        self.send({"type": "job", "v": PROTOCOL, "worker": self.worker, "at": epoch_ms(), "session": session, "pid": os.getpid(), "jobId": job_id})

    def joined(self) -> None:
        self.agent({"type": "joined", "at": epoch_ms()})

    def listening(self) -> None:
        self.agent({"type": "listening", "at": epoch_ms()})

    def vad(self, kind: str, audio_ms: float) -> None:
        """kind 'start' or 'end'; audio_ms: where in the user's audio the VAD placed it."""
        self.agent({"type": "vad", "kind": kind, "at": epoch_ms(), "audioMs": audio_ms})

    def job_end(self, reason: str) -> None:
        self.send({"type": "job-end", "worker": self.worker, "at": epoch_ms(), "session": self.session, "reason": reason})

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


def report_job(ctx: Any) -> Reporter:
    """Starts reporting for a LiveKit JobContext: reads voiceload's dispatch metadata (session index)."""
    rep = Reporter()
    try:
        session = int(json.loads(ctx.job.metadata or "{}").get("session", -1))
    except (ValueError, AttributeError):
        session = -1
    rep.job(session, ctx.job.id)
    return rep
