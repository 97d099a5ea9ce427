"""voiceload's Python reference worker: the `python` runtime's counterpart of
harness/runtimes/workers/framework-worker.ts, on LiveKit Agents for Python (livekit-agents 1.8.9).

Started as LiveKit's deployment page starts a worker: `python agent.py start` (production mode).
It registers under LIVEKIT_AGENT_NAME (explicit dispatch), serves its health check on
VOICELOAD_HEALTH_PORT, loads Silero VAD in prewarm (once per job process), and per job: connects
(audio only), publishes a sine (the dispatch's toneHz, 440 Hz), runs the VAD on its user's audio,
reports joins and speech onsets over the report socket, and ends the job when its user leaves.

Test-only: VOICELOAD_TEST_LEAK_MB=X makes the worker's main process keep X MB for every job that
ends (a known leak per completed session) for the soak to find. Never set it outside a test.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import time

import numpy as np
from livekit import rtc
from livekit.agents import AutoSubscribe, JobContext, JobProcess, JobRequest, WorkerOptions, cli, vad as agents_vad
from livekit.agents.worker import _DefaultLoadCalc
from livekit.plugins import silero

from harness_watch import watch_harness
from voiceload_report import Histogram, Reporter, epoch_ms, report_job

SAMPLE_RATE = 48_000
FRAME_MS = 10
# Audio handed to the source ahead of its timeline (the same lead as the Node publishers').
LEAD_MS = 20
STATS_EVERY_S = 2.0
env = os.environ
main_report = Reporter()
_leak: list[bytearray] = []


def prewarm(proc: JobProcess) -> None:
    proc.userdata["vad"] = silero.VAD.load()


async def publish_sine(room: rtc.Room, hz: float, late: Histogram) -> asyncio.Task[None]:
    """Publishes a sine on an absolute clock: frame k is handed over at t0 + k·10 ms; lateness is recorded.

    The stream starts with LEAD_MS of silence, so the source's queue still holds LEAD_MS of audio
    when a frame is due: a frame up to LEAD_MS late never leaves the encoder without audio, so the
    knee's bound on agent publish lateness (p99 > 20 ms) means the encoder ran dry, as for the
    users' speech. (Handed over just in time, as before, a frame a few ms late already idled the
    wire, and asyncio's wake-ups alone are a few ms late.)"""
    source = rtc.AudioSource(SAMPLE_RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track("tone", source)
    await room.local_participant.publish_track(track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    n = SAMPLE_RATE * FRAME_MS // 1000
    lead = SAMPLE_RATE * LEAD_MS // 1000

    async def run() -> None:
        await source.capture_frame(rtc.AudioFrame(bytes(2 * lead), SAMPLE_RATE, 1, lead))
        t0, k = time.perf_counter(), 0
        while True:
            due = t0 + k * FRAME_MS / 1000
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            # Every frame's hand-over lateness, as the Node pacer records it (a wake-up late counts too).
            late.record(max(0.0, (time.perf_counter() - due) * 1000))
            t = (np.arange(n) + k * n) / SAMPLE_RATE
            pcm = (np.sin(2 * math.pi * hz * t) * 8000).astype(np.int16)
            frame = rtc.AudioFrame(pcm.tobytes(), SAMPLE_RATE, 1, n)
            await source.capture_frame(frame)
            k += 1

    return asyncio.create_task(run())


async def run_vad(vad: agents_vad.VAD, track: rtc.Track, rep: Reporter, infer: Histogram, counts: dict[str, int]) -> None:
    stream = vad.stream()
    audio = rtc.AudioStream(track, sample_rate=16_000, num_channels=1)

    async def feed() -> None:
        async for ev in audio:
            stream.push_frame(ev.frame)

    feeder = asyncio.create_task(feed())
    try:
        async for ev in stream:
            if ev.type == agents_vad.VADEventType.INFERENCE_DONE:
                infer.record(ev.inference_duration * 1000)
                counts["windows"] += 1
            elif ev.type in (agents_vad.VADEventType.START_OF_SPEECH, agents_vad.VADEventType.END_OF_SPEECH):
                kind = "start" if ev.type == agents_vad.VADEventType.START_OF_SPEECH else "end"
                rep.vad(kind, ev.samples_index * 1000 / 16_000)
    finally:
        feeder.cancel()


async def entrypoint(ctx: JobContext) -> None:
    meta = json.loads(ctx.job.metadata)
    rep = report_job(ctx)
    late, infer, loop_delay = Histogram(), Histogram(), Histogram()
    counts = {"windows": 0}
    state = {"listening": False, "reason": "told to shut down or room closed"}
    tasks: list[asyncio.Task[None]] = []

    def stats() -> None:
        rep.agent({"type": "stats", "publishLate": late.data(), "vadInferMs": infer.data(), "loopDelay": loop_delay.data(), "windows": counts["windows"]})

    def on_track(track: rtc.Track, _pub: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant) -> None:
        if track.kind != rtc.TrackKind.KIND_AUDIO or p.identity != meta["userIdentity"] or state["listening"]:
            return
        state["listening"] = True
        rep.listening()
        tasks.append(asyncio.create_task(run_vad(ctx.proc.userdata["vad"], track, rep, infer, counts)))

    def on_left(p: rtc.RemoteParticipant) -> None:
        if p.identity == meta["userIdentity"]:
            state["reason"] = "user left"
            ctx.shutdown(state["reason"])

    ctx.room.on("track_subscribed", on_track)
    ctx.room.on("participant_disconnected", on_left)
    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
    rep.joined()
    tasks.append(await publish_sine(ctx.room, float(meta.get("toneHz", 440)), late))

    async def every_stats() -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(STATS_EVERY_S)
            loop_delay.record(max(0.0, (time.perf_counter() - t - STATS_EVERY_S) * 1000))
            stats()

    tasks.append(asyncio.create_task(every_stats()))

    async def on_shutdown() -> None:
        for t in tasks:
            t.cancel()
        stats()
        rep.job_end(state["reason"])
        rep.close()

    ctx.add_shutdown_callback(on_shutdown)


async def request(req: JobRequest) -> None:
    try:
        meta = json.loads(req.job.metadata)
    except ValueError:
        meta = None
    main_report.send({"type": "request", "worker": main_report.worker, "at": epoch_ms(), "session": meta["session"] if meta else -1, "load": None, "activeJobs": None, "accepted": meta is not None})
    if meta is None:
        return await req.reject()
    await req.accept(name=meta["agentIdentity"], identity=meta["agentIdentity"])


_running: set[str] = set()


def leak_for_ended_jobs(server: object) -> None:
    """Test-only: keeps VOICELOAD_TEST_LEAK_MB in this (main) process for each job that has ended
    since the last call (seen within LiveKit's 0.5 s load interval), a known leak per completed session."""
    leak_mb = float(env.get("VOICELOAD_TEST_LEAK_MB", "0"))
    if leak_mb <= 0:
        return
    now = {j.job.id for j in getattr(server, "active_jobs", [])}
    for _ in _running - now:
        block = bytearray(int(leak_mb * 1024 * 1024))
        block[::4096] = b"\x01" * len(block[::4096])  # touch every page so it is resident
        _leak.append(block)
    _running.clear()
    _running.update(now)


def load(server: object) -> float:
    leak_for_ended_jobs(server)
    spec = env.get("VOICELOAD_LOAD_FUNC", "cpu")
    if spec.startswith("jobs:"):
        value = len(server.active_jobs) / int(spec[5:])  # type: ignore[attr-defined]
    else:
        value = _DefaultLoadCalc.get_load(server)  # type: ignore[arg-type]
    jobs = len(getattr(server, "active_jobs", []))
    main_report.send({"type": "load", "worker": main_report.worker, "at": epoch_ms(), "load": value, "activeJobs": jobs})
    return value


if __name__ == "__main__":
    watch_harness()
    opts = dict(
        entrypoint_fnc=entrypoint,
        prewarm_fnc=prewarm,
        request_fnc=request,
        load_fnc=load,
        agent_name=env.get("LIVEKIT_AGENT_NAME", ""),
        host="127.0.0.1",
        port=int(env.get("VOICELOAD_HEALTH_PORT", "8081")),
    )
    if env.get("VOICELOAD_LOAD_THRESHOLD"):
        opts["load_threshold"] = float(env["VOICELOAD_LOAD_THRESHOLD"])
    if env.get("VOICELOAD_IDLE_PROCESSES"):
        opts["num_idle_processes"] = int(env["VOICELOAD_IDLE_PROCESSES"])
    cli.run_app(WorkerOptions(**opts))
