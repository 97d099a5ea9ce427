import { Room, RoomEvent, TrackKind, type RemoteAudioTrack, type RemoteParticipant, type RemoteTrack } from '@livekit/rtc-node';
import type { AgentMessage, AgentStart } from '../sessions/ipc.js';
import { epochNow } from '../media/clock.js';
import { publishTone } from '../media/publish-tone.js';
import type { PacedPublisher } from '../media/paced-publisher.js';
import { LoopDelayMonitor } from '../sessions/loop-delay.js';
import { LatencyHistogram } from '../results/histogram.js';
import { SileroVad } from '../vad/silero.js';
import { listen } from './listener.js';

/**
 * One synthetic agent: joins its user's room, runs Silero VAD on the user's audio, and publishes a
 * continuous tone. Reports what it does through `send`; stops when `stop()` is called.
 */
export class SyntheticAgent {
  private readonly room = new Room();
  private readonly publishLate = new LatencyHistogram();
  private readonly inferMs = new LatencyHistogram();
  private readonly abort = new AbortController();
  private readonly loop = new LoopDelayMonitor();
  private publisher: PacedPublisher | null = null;
  private windows = 0;
  private listening: Promise<void> | null = null;
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly cfg: AgentStart, private readonly send: (m: AgentMessage) => void) {}

  async start(): Promise<void> {
    this.loop.start();
    const vad = await SileroVad.load(this.cfg.modelPath);
    this.room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => this.onTrack(track, p, vad));
    await this.room.connect(this.cfg.url, this.cfg.token, { autoSubscribe: true, dynacast: false });
    this.send({ type: 'joined', at: epochNow() });
    this.publisher = await publishTone(this.room.localParticipant!, this.cfg.toneHz, this.publishLate);
    this.statsTimer = setInterval(() => this.sendStats(), this.cfg.statsEveryMs);
  }

  private onTrack(track: RemoteTrack, participant: RemoteParticipant, vad: SileroVad): void {
    if (track.kind !== TrackKind.KIND_AUDIO || participant.identity !== this.cfg.userIdentity || this.listening) return;
    this.send({ type: 'listening', at: epochNow() });
    this.listening = listen(track as RemoteAudioTrack, vad, this.inferMs, (event, windows) => {
      this.windows = windows;
      const at = epochNow();
      this.send({ type: 'vad', kind: event.kind, at, audioMs: event.audioMs });
      if (this.cfg.vadTopic) this.publishVad(event.kind, at);
    }, this.abort.signal).then(
      (windows) => void (this.windows = windows),
      (err: Error) => this.send({ type: 'error', message: `vad: ${err.message}` }),
    );
  }

  /** Tells the user's page what the VAD decided: reliable, to that user only. */
  private publishVad(kind: 'start' | 'end', at: number): void {
    const data = new TextEncoder().encode(JSON.stringify({ kind, at }));
    this.room.localParticipant?.publishData(data, { reliable: true, topic: this.cfg.vadTopic, destination_identities: [this.cfg.userIdentity] })
      .catch((err: Error) => this.send({ type: 'error', message: `vad data: ${err.message}` }));
  }

  private sendStats(): void {
    this.send({ type: 'stats', publishLate: this.publishLate.toData(), vadInferMs: this.inferMs.toData(), loopDelay: this.loop.histogram.toData(), windows: this.windows });
  }

  /** Stops publishing and listening, leaves the room, sends the final stats. */
  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.abort.abort();
    await this.publisher?.stop();
    await this.room.disconnect().catch(() => undefined);
    await Promise.race([this.listening, new Promise((r) => setTimeout(r, 1000))]);
    this.loop.stop();
    this.sendStats();
  }
}
