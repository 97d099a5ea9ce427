/**
 * The `framework` runtime's agent: a @livekit/agents 1.9 agent definition. LiveKit's worker
 * (framework-worker.ts) imports this file in each job process it forks. Per job it does what the
 * bare agent does, the framework's way: `ctx.connect()`, publish the sine, wait for its user,
 * run the Silero plugin's VAD stream on the user's audio, and report joins, speech start/end (epoch
 * ms) and stats to the harness over the report socket. It ends the job when its user leaves.
 * Deployed apart from the harness (no report socket: a Deployment's pod), it sends the same
 * measurements to its user as reliable data messages on AGENT_REPORT_TOPIC instead.
 */
import { AutoSubscribe, defineAgent, VADEventType, type JobContext, type JobProcess, type VAD } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { RoomEvent, TrackKind, type RemoteParticipant, type RemoteTrack, type Room } from '@livekit/rtc-node';
import { AGENT_REPORT_TOPIC, type AgentMessage } from '../../sessions/ipc.js';
import { LoopDelayMonitor } from '../../sessions/loop-delay.js';
import { epochNow } from '../../media/clock.js';
import { publishTone } from '../../media/publish-tone.js';
import { SAMPLE_RATE } from '../../media/paced-publisher.js';
import { LatencyHistogram } from '../../results/histogram.js';
import { ReportClient } from './channel.js';
import { openAudioStream } from './open-audio.js';
import { WORKER_ENV, type DispatchMeta } from './messages.js';

const STATS_EVERY_MS = 2_000;

/** Reads the harness's dispatch metadata; a job without it is not ours and fails loudly. */
function dispatchMeta(ctx: JobContext): DispatchMeta {
  try {
    const m = JSON.parse(ctx.job.metadata) as DispatchMeta;
    if (typeof m.session === 'number' && typeof m.userIdentity === 'string') return m;
  } catch {
    // fall through
  }
  throw new Error(`job ${ctx.job.id}: dispatch metadata is not voiceload's`);
}

/** Runs the plugin's VAD over one audio track, reporting speech events and inference time. */
async function runVad(vad: VAD, track: RemoteTrack, room: Room, inferMs: LatencyHistogram, counts: { windows: number }, send: (m: AgentMessage) => void): Promise<void> {
  const audio = await openAudioStream(track, room, { sampleRate: SAMPLE_RATE, numChannels: 1 });
  if (!audio) return; // the job is ending: its room closed as the user's track arrived
  const stream = vad.stream();
  stream.updateInputStream(audio);
  for await (const ev of stream) {
    if (ev.type === VADEventType.INFERENCE_DONE) {
      inferMs.record(ev.inferenceDuration);
      counts.windows++;
    } else if (ev.type === VADEventType.START_OF_SPEECH || ev.type === VADEventType.END_OF_SPEECH) {
      send({ type: 'vad', kind: ev.type === VADEventType.START_OF_SPEECH ? 'start' : 'end', at: epochNow(), audioMs: (ev.samplesIndex * 1000) / 16_000 });
    }
  }
}

export default defineAgent({
  // LiveKit's recommended place to load the model: once per job process, before any job.
  prewarm: async (proc: JobProcess) => {
    proc.userData.vad = await silero.VAD.load();
  },
  entry: async (ctx: JobContext) => {
    const meta = dispatchMeta(ctx);
    const worker = Number(process.env[WORKER_ENV.workerIndex] ?? -1);
    const socket = process.env[WORKER_ENV.reportSocket];
    const report = new ReportClient(socket);
    const send = socket
      ? (msg: AgentMessage) => report.send({ type: 'agent', worker, session: meta.session, msg })
      : (msg: AgentMessage) => void ctx.room.localParticipant?.publishData(new TextEncoder().encode(JSON.stringify(msg)), { reliable: true, topic: AGENT_REPORT_TOPIC, destination_identities: [meta.userIdentity] })
        .catch(() => undefined);
    report.send({ type: 'job', worker, at: epochNow(), session: meta.session, pid: process.pid, jobId: ctx.job.id });
    const loop = new LoopDelayMonitor();
    loop.start();
    const publishLate = new LatencyHistogram();
    const inferMs = new LatencyHistogram();
    const counts = { windows: 0 };
    const sendStats = () => send({ type: 'stats', publishLate: publishLate.toData(), vadInferMs: inferMs.toData(), loopDelay: loop.histogram.toData(), windows: counts.windows });
    const vad = ctx.proc.userData.vad as VAD;
    let listening = false;
    let endReason = 'told to shut down or room closed';
    ctx.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => {
      if (track.kind !== TrackKind.KIND_AUDIO || p.identity !== meta.userIdentity || listening) return;
      listening = true;
      send({ type: 'listening', at: epochNow() });
      runVad(vad, track, ctx.room, inferMs, counts, send).catch((err: Error) => send({ type: 'error', message: `vad: ${err.message}` }));
    });
    ctx.room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
      if (p.identity !== meta.userIdentity) return;
      endReason = 'user left';
      ctx.shutdown(endReason);
    });
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    send({ type: 'joined', at: epochNow() });
    const publisher = await publishTone(ctx.room.localParticipant!, meta.toneHz, publishLate);
    const timer = setInterval(sendStats, STATS_EVERY_MS);
    ctx.addShutdownCallback(async () => {
      clearInterval(timer);
      await publisher.stop();
      loop.stop();
      sendStats();
      report.send({ type: 'job-end', worker, at: epochNow(), session: meta.session, reason: endReason });
      await report.close();
    });
  },
});
