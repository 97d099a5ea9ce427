import { AudioFrame, AudioSource } from '@livekit/rtc-node';
import type { Clock } from './clock.js';
import { Pacer } from './pacer.js';

export const SAMPLE_RATE = 48_000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
/**
 * How much later than its lead a chunk may be handed over before the audio the encoder missed is
 * cut from its front: one 20 ms frame. Catching up instead would park the backlog in the source's
 * queue and add that much latency to everything after it, for the rest of the run. The timeline
 * (chunk k plays from t0 + k·chunkMs) holds either way, so the speech ground truth keeps it.
 */
const DROP_LATE_MS = FRAME_MS;

/** Where each chunk's lateness (ms behind its due time) goes: a histogram, in practice. */
export interface LatenessSink { record(ms: number): void }

/**
 * Something that yields `samples` samples of 48 kHz mono audio starting `samples` × k into the
 * stream. It may return the same buffer every call: the publisher hands it over and waits until
 * the source has taken it before asking again.
 */
export type FrameFn = (k: number, samples: number) => Int16Array;

/**
 * How audio is handed to the native AudioSource, whose 10 ms task feeds the encoder from a queue.
 * chunkMs: audio per captureFrame (each is one FFI request and one completion event, ~0.1-0.2 ms
 * of the JS thread whatever its size). leadMs: how far ahead of its timeline each chunk is handed
 * over, i.e. how much audio the queue still holds when the next chunk is due, so a chunk up to
 * leadMs late never lets the encoder run dry. Both multiples of 10 ms.
 */
export interface PublishPlan { chunkMs: number; leadMs: number }

/** 20 ms frames handed over just in time: the users' speech and the agents' tone until issue 12 (the frames design). */
export const FRAME_PLAN: PublishPlan = { chunkMs: FRAME_MS, leadMs: 0 };

/**
 * The native queue for a plan: the lead, a chunk, the drain task's 10 ms phase and one frame of
 * lateness kept rather than cut, so an on-time captureFrame never waits for the queue to drain.
 */
export function sourceQueueMs(plan: PublishPlan): number {
  return plan.leadMs + plan.chunkMs + 10 + DROP_LATE_MS;
}

/**
 * Of a chunk `lateMs` late, how many whole 20 ms frames to cut from its front (0: send it whole):
 * as many as fit in the time the encoder went without audio, so what is left runs less than one
 * frame behind its timeline, never ahead of it.
 */
export function framesToCut(lateMs: number, plan: PublishPlan): number {
  const behind = lateMs - plan.leadMs;
  if (behind <= DROP_LATE_MS) return 0;
  return Math.min(plan.chunkMs / FRAME_MS, Math.floor(behind / FRAME_MS));
}

/**
 * Publishes audio into an AudioSource in real time on an absolute clock, recording how late each
 * chunk was handed over. The stream starts with leadMs of silence, so chunk k's audio reaches the
 * encoder at t0 + k·chunkMs while it is handed over leadMs earlier. Runs until stop() is called.
 */
export class PacedPublisher {
  readonly source: AudioSource;
  private running = false;
  private loop: Promise<void> | null = null;
  /** Monotonic time the audio of chunk 0 starts (its due time plus the lead); null before start. */
  t0: number | null = null;
  /** 20 ms frames cut because they were already too late to send. */
  dropped = 0;
  /** Monotonic time the last chunk was handed over. */
  lastSent: number | null = null;

  constructor(private readonly frame: FrameFn, private readonly late: LatenessSink, private readonly clock: Clock, private readonly plan: PublishPlan = FRAME_PLAN) {
    this.source = new AudioSource(SAMPLE_RATE, 1, sourceQueueMs(plan));
  }

  private capture(data: Int16Array): Promise<void> {
    return this.source.captureFrame(new AudioFrame(data, SAMPLE_RATE, 1, data.length));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const pacer = new Pacer(this.plan.chunkMs, this.clock);
    this.t0 = pacer.t0 + this.plan.leadMs;
    const samples = (SAMPLE_RATE * this.plan.chunkMs) / 1000;
    this.loop = (async () => {
      if (this.plan.leadMs > 0) await this.capture(new Int16Array((SAMPLE_RATE * this.plan.leadMs) / 1000));
      while (this.running) {
        const tick = await pacer.next();
        if (!this.running) break;
        this.late.record(tick.lateMs);
        const cut = framesToCut(tick.lateMs, this.plan) * FRAME_SAMPLES;
        this.dropped += cut / FRAME_SAMPLES;
        if (cut >= samples) continue;
        const data = this.frame(tick.k, samples);
        // A copy only when cutting: AudioFrame hands over its whole ArrayBuffer, so a subarray would not do.
        await this.capture(cut > 0 ? data.slice(cut) : data);
        this.lastSent = this.clock.now();
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.source.close();
  }
}
