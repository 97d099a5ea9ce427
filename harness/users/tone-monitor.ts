import type { AgentAudioStats } from '../sessions/ipc.js';
import { dominantFrequency, rms } from '../media/tone.js';

/** Below this RMS (0..1) a 10 ms frame counts as silence. The agent's tone is at ~0.2. */
const SILENCE_RMS = 0.01;
const GAP_MS = 100;
/** Analyse 0.5 s of audio every 5 s for the dominant frequency: cheap, and enough to spot a wrong tone. */
const ANALYSE_EVERY_MS = 5000;
const ANALYSE_MS = 500;

/**
 * Watches the agent's audio as a user receives it: counts 10 ms frames, finds gaps (no frame, or
 * silence, for more than 100 ms once the tone has been heard), and samples the dominant frequency.
 * Pure apart from the times it is given.
 */
export class ToneMonitor {
  private framesMs = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private lastToneAt: number | null = null;
  private gaps = 0;
  private maxGapMs = 0;
  private readonly dominantHz: number[] = [];
  private nextAnalysisAt = 0;
  private window: Int16Array[] = [];
  private windowSamples = 0;

  constructor(private readonly sampleRate: number) {}

  /**
   * Feeds one received frame (mono int16) that arrived at monotonic time `now` (ms). A gap is the
   * time from the end of one frame with tone to the start of the next: silent frames and missing
   * frames alike, so one outage counts once however it is made up.
   */
  push(data: Int16Array, now: number): void {
    const frameMs = (data.length * 1000) / this.sampleRate;
    const silent = rms(data) < SILENCE_RMS;
    if (this.firstAt === null) {
      if (silent) return; // Not heard yet: the first frames before the tone arrives are not gaps.
      this.firstAt = now;
      this.nextAnalysisAt = now + 1000;
    }
    this.framesMs += frameMs;
    this.lastAt = now;
    if (!silent) {
      if (this.lastToneAt !== null) this.gap(now - frameMs - this.lastToneAt);
      this.lastToneAt = now;
    }
    this.collect(data, now);
  }

  /**
   * Feeds a block of several 10 ms frames that arrived together at `now` (a receive stream with a
   * longer frame size): each 10 ms piece is judged on its own, as if it had arrived 10 ms after the
   * one before, so silences and gaps are measured as finely as frame by frame.
   */
  pushBlock(data: Int16Array, now: number): void {
    const piece = this.sampleRate / 100;
    const pieces = Math.ceil(data.length / piece);
    for (let i = 0; i < pieces; i++) this.push(data.subarray(i * piece, Math.min(data.length, (i + 1) * piece)), now - (pieces - 1 - i) * 10);
  }

  private gap(ms: number): void {
    if (ms <= GAP_MS) return;
    this.gaps++;
    this.maxGapMs = Math.max(this.maxGapMs, ms);
  }

  private collect(data: Int16Array, now: number): void {
    if (now < this.nextAnalysisAt) return;
    this.window.push(data);
    this.windowSamples += data.length;
    if (this.windowSamples * 1000 < ANALYSE_MS * this.sampleRate) return;
    const all = new Int16Array(this.windowSamples);
    let offset = 0;
    for (const part of this.window) {
      all.set(part, offset);
      offset += part.length;
    }
    this.dominantHz.push(Math.round(dominantFrequency(all, this.sampleRate).hz * 10) / 10);
    this.window = [];
    this.windowSamples = 0;
    this.nextAnalysisAt = now + ANALYSE_EVERY_MS;
  }

  /**
   * What has been measured so far. A silence still going on counts once it is over 100 ms; audio
   * that simply stopped arriving (the stream ended) does not.
   */
  stats(): AgentAudioStats {
    const open = this.lastToneAt !== null && this.lastAt !== null ? this.lastAt - this.lastToneAt : 0;
    const expected = this.firstAt === null || this.lastAt === null ? 0 : Math.round((this.lastAt - this.firstAt) / 10) + 1;
    return {
      framesReceived: Math.round(this.framesMs / 10),
      framesExpected: expected,
      gapsOver100ms: this.gaps + (open > GAP_MS ? 1 : 0),
      maxGapMs: Math.max(this.maxGapMs, open > GAP_MS ? open : 0),
      dominantHz: [...this.dominantHz],
    };
  }
}
