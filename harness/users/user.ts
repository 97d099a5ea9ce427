import { AudioStream, LocalAudioTrack, ParticipantKind, Room, RoomEvent, TrackKind, type RemoteParticipant, type RemoteTrack } from '@livekit/rtc-node';
import { AGENT_REPORT_TOPIC, parseAgentMessage, type GeneratorDesign, type GeneratorMessage, type UserSpec } from '../sessions/ipc.js';
import { epochNow, systemClock } from '../media/clock.js';
import { PacedPublisher, SAMPLE_RATE } from '../media/paced-publisher.js';
import { LatencyHistogram } from '../results/histogram.js';
import { candidateAddresses } from './candidates.js';
import { speechPublishOptions } from './publish-options.js';
import { ToneMonitor, type StalledFn } from './tone-monitor.js';

/** When to read the session's ICE candidates: after connectivity checks have settled. */
const CANDIDATES_AFTER_MS = 4000;

/**
 * Chunk k of a looping recording, written into `out` (its length is the chunk size): out.length
 * samples from k·out.length modulo the loop, so the loop has no seam of silence. One buffer per
 * user is reused for every chunk: this runs 10 to 50 times a second per user.
 */
export function loopChunk(speech: Int16Array, k: number, out: Int16Array): Int16Array {
  const n = out.length;
  const start = (k * n) % speech.length;
  if (speech.length >= n) {
    // Two block copies instead of a loop with a modulo per sample.
    const head = speech.subarray(start, Math.min(speech.length, start + n));
    out.set(head);
    if (head.length < n) out.set(speech.subarray(0, n - head.length), head.length);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = speech[(start + i) % speech.length] ?? 0;
  return out;
}

/**
 * One synthetic user: joins its own room, publishes the looping speech as a microphone in real
 * time, and measures the agent's tone it gets back.
 */
export class SyntheticUser {
  private readonly room = new Room();
  private readonly publishLate = new LatencyHistogram();
  private readonly monitor: ToneMonitor;
  private readonly publisher: PacedPublisher;
  private receiving: Promise<void> | null = null;
  private stream: AudioStream | null = null;
  private candidatesTimer: NodeJS.Timeout | null = null;
  /** Set once stop() begins: what fails after that is the leaving, not a fault. */
  private leaving = false;

  /** Whether it subscribes to its agent's audio and checks the tone (the harness decides, see listens() in sessions/ipc.ts). */
  private get listening(): boolean {
    return this.spec.listens !== false;
  }

  constructor(
    private readonly spec: UserSpec,
    speech: Int16Array,
    private readonly send: (m: GeneratorMessage) => void,
    /** How speech is handed over and the agent's audio received (see GeneratorDesign in sessions/ipc.ts). */
    private readonly design: GeneratorDesign,
    /** How long this generator's own event loop was blocked in a span (epoch ms), so its stalls are not blamed on the agent. */
    stalled: StalledFn = () => 0,
  ) {
    this.monitor = new ToneMonitor(SAMPLE_RATE, stalled);
    let chunk = new Int16Array(0);
    const next = (k: number, samples: number): Int16Array => {
      if (chunk.length !== samples) chunk = new Int16Array(samples);
      return loopChunk(speech, k, chunk);
    };
    this.publisher = new PacedPublisher(next, this.publishLate, systemClock, { chunkMs: design.publishChunkMs, leadMs: design.publishLeadMs });
    this.loopMs = (speech.length * 1000) / SAMPLE_RATE;
  }

  private readonly loopMs: number;

  /** Its agent: the named identity, or (no name given: someone else's worker) any agent participant. */
  private isAgent(p: RemoteParticipant): boolean {
    return this.spec.agentIdentity ? p.identity === this.spec.agentIdentity : p.kind === ParticipantKind.AGENT;
  }

  /** With no agent identity given, the user is the one who sees the agent arrive, and says so. */
  private onParticipant(p: RemoteParticipant): void {
    if (this.spec.agentIdentity || this.agentSeen || !this.isAgent(p)) return;
    this.agentSeen = true;
    this.send({ type: 'user-agent', index: this.spec.index, at: epochNow(), identity: p.identity });
  }

  private agentSeen = false;

  async start(): Promise<void> {
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => this.onTrack(track, p));
    this.room.on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => this.onParticipant(p));
    if (this.spec.agentReports) this.room.on(RoomEvent.DataReceived, (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => this.onData(payload, p, topic));
    // A user that does not listen subscribes to nothing: its agent's audio is neither sent to it nor decoded.
    await this.room.connect(this.spec.url, this.spec.token, { autoSubscribe: this.listening, dynacast: false });
    this.send({ type: 'user-joined', index: this.spec.index, at: epochNow() });
    if (!this.listening) this.candidatesTimer = setTimeout(() => void this.reportCandidates(), CANDIDATES_AFTER_MS);
    this.room.remoteParticipants.forEach((p) => this.onParticipant(p));
    const track = LocalAudioTrack.createAudioTrack('user-mic', this.publisher.source);
    await this.room.localParticipant!.publishTrack(track, speechPublishOptions(this.design));
    this.publisher.start();
    this.send({ type: 'user-speech', index: this.spec.index, t0: systemClock.toEpoch(this.publisher.t0!), loopMs: this.loopMs });
  }

  /** Passes on what the agent measured, when it reports over LiveKit. */
  private onData(payload: Uint8Array, p: RemoteParticipant | undefined, topic: string | undefined): void {
    if (topic !== AGENT_REPORT_TOPIC || !p || !this.isAgent(p)) return;
    const msg = parseAgentMessage(payload);
    if (msg) this.send({ type: 'user-agent-report', index: this.spec.index, msg });
  }

  private onTrack(track: RemoteTrack, participant: RemoteParticipant): void {
    // Not once the user is leaving: an agent that joins as its session ends (a soak) starts nothing left to clean up.
    if (track.kind !== TrackKind.KIND_AUDIO || !this.isAgent(participant) || this.receiving || this.leaving) return;
    this.stream = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1, frameSizeMs: this.design.receiveBlockMs });
    const stream = this.stream;
    this.candidatesTimer = setTimeout(() => void this.reportCandidates(), CANDIDATES_AFTER_MS);
    this.receiving = (async () => {
      for await (const frame of stream) this.monitor.pushBlock(frame.data, epochNow());
    })().catch((err: Error) => this.send({ type: 'user-error', index: this.spec.index, message: `receive: ${err.message}` }));
  }

  /** Reports every ICE candidate address this session uses, so the run can prove where media went. */
  private async reportCandidates(): Promise<void> {
    try {
      const stats = await this.room.getRtcStats();
      this.send({ type: 'user-candidates', index: this.spec.index, addresses: candidateAddresses(stats) });
    } catch (err) {
      // A read still in flight when the user leaves (a soak's short sessions) has nothing to report.
      if (this.leaving || !this.room.isConnected) return;
      this.send({ type: 'user-error', index: this.spec.index, message: `stats: ${(err as Error).message}` });
    }
  }

  /** The cumulative figures, as sent to the harness. */
  stats(): GeneratorMessage {
    const last = this.publisher.lastSent;
    return {
      type: 'user-stats',
      index: this.spec.index,
      publishLate: this.publishLate.toData(),
      agentAudio: this.listening ? this.monitor.stats(epochNow()) : null,
      lastSentAt: last === null ? null : systemClock.toEpoch(last),
      publishDropped: this.publisher.dropped,
    };
  }

  async stop(): Promise<void> {
    this.leaving = true;
    if (this.candidatesTimer) clearTimeout(this.candidatesTimer);
    this.monitor.end(epochNow());
    await this.publisher.stop();
    await this.stream?.cancel().catch(() => undefined);
    await this.room.disconnect().catch(() => undefined);
  }
}
