import { AudioFrame, AudioSource } from '@livekit/rtc-node';
import type { Clock } from './clock.js';
import { Pacer } from './pacer.js';

export const SAMPLE_RATE = 48_000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
/** A short queue in the native source: the pacer, not the queue, sets the rhythm. */
const SOURCE_QUEUE_MS = 50;
/**
 * A frame later than this is dropped, not sent: catching up after a stall would park the backlog
 * in the source's queue and add that much latency to everything after it, for the rest of the run.
 * Frame k stays tied to t0 + k·20 ms either way, so the speech ground truth keeps its timeline.
 */
const DROP_LATE_MS = FRAME_MS;

/** Where each frame's lateness (ms behind its due time) goes: a histogram, in practice. */
export interface LatenessSink { record(ms: number): void }

/** Something that yields 20 ms of 48 kHz mono audio for frame k. */
export type FrameFn = (k: number) => Int16Array;

/**
 * Publishes audio frames into an AudioSource in real time on an absolute clock, recording how
 * late each frame was handed over. Runs until stop() is called.
 */
export class PacedPublisher {
  readonly source = new AudioSource(SAMPLE_RATE, 1, SOURCE_QUEUE_MS);
  private running = false;
  private loop: Promise<void> | null = null;
  /** Monotonic time frame 0 was due; null before start. */
  t0: number | null = null;
  /** Frames skipped because they were already too late to send. */
  dropped = 0;
  /** Monotonic time the last frame was handed over. */
  lastSent: number | null = null;

  constructor(private readonly frame: FrameFn, private readonly late: LatenessSink, private readonly clock: Clock) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const pacer = new Pacer(FRAME_MS, this.clock);
    this.t0 = pacer.t0;
    this.loop = (async () => {
      while (this.running) {
        const tick = await pacer.next();
        if (!this.running) break;
        this.late.record(tick.lateMs);
        if (tick.lateMs > DROP_LATE_MS) {
          this.dropped++;
          continue;
        }
        const data = this.frame(tick.k);
        await this.source.captureFrame(new AudioFrame(data, SAMPLE_RATE, 1, data.length));
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
