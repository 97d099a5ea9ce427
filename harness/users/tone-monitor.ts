import type { AgentAudioStats } from '../sessions/ipc.js';
import { dominantFrequency, rms } from '../media/tone.js';

/** Below this RMS (0..1) a 10 ms frame counts as silence. The agent's tone is at ~0.2. */
const SILENCE_RMS = 0.01;
const GAP_MS = 100;
/**
 * Analyse 0.1 s of audio every 5 s for the dominant frequency: enough to spot a wrong tone (within
 * 1 Hz of a pure one), and its FFT a quarter of what 0.5 s cost (issue 12 profiled it).
 */
const ANALYSE_EVERY_MS = 5000;
const ANALYSE_MS = 100;
/** The agent's gaps kept with their times, for counting over a window; later ones only add to the counts. */
const KEEP_GAPS = 1000;

/** How long the receiving process's own event loop was blocked within [from, to] (ms, the monitor's clock). */
export type StalledFn = (from: number, to: number) => number;

/**
 * Watches the agent's audio as a user receives it: counts 10 ms frames, finds gaps (no frame, or
 * silence, for more than 100 ms once the tone has been heard), and samples the dominant frequency.
 * Frames are timed when they reach this process's event loop, so a hole that the loop's own stall
 * explains (what is left of it once the stalled time is taken out is 100 ms or less) is the
 * generator's, counted apart as a stall and never as the agent's gap.
 * Pure apart from the times it is given.
 */
export class ToneMonitor {
  private framesMs = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private lastToneAt: number | null = null;
  private gaps = 0;
  private maxGapMs = 0;
  private stalls = 0;
  private endedAt: number | null = null;
  private readonly gapList: { at: number; ms: number }[] = [];
  private readonly dominantHz: number[] = [];
  private nextAnalysisAt = 0;
  private window: Int16Array[] = [];
  private windowSamples = 0;

  constructor(private readonly sampleRate: number, private readonly stalledMs: StalledFn = () => 0) {}

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
      if (this.lastToneAt !== null) this.gap(this.lastToneAt, now - frameMs);
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

  /** Whose a hole from `from` to `to` is: none (≤ 100 ms), the generator's own stall, or the agent's. */
  private blame(from: number, to: number): 'none' | 'generator' | 'agent' {
    const ms = to - from;
    if (ms <= GAP_MS) return 'none';
    return ms - this.stalledMs(from, to) <= GAP_MS ? 'generator' : 'agent';
  }

  private gap(from: number, to: number): void {
    const who = this.blame(from, to);
    if (who === 'generator') this.stalls++;
    if (who !== 'agent') return;
    this.gaps++;
    this.maxGapMs = Math.max(this.maxGapMs, to - from);
    if (this.gapList.length < KEEP_GAPS) this.gapList.push({ at: to, ms: to - from });
  }

  /** The stream ended (the user is leaving): what comes after is not the agent's silence. */
  end(now: number): void {
    this.endedAt ??= now;
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
   * What has been measured so far, up to `now` (default: the last frame). A silence still going on
   * counts once it is over 100 ms, and so does audio that stopped arriving: with `now` given, the
   * time since the last tone frame is a gap (until end() is called), and its frames are expected.
   */
  stats(now?: number): AgentAudioStats {
    const until = this.endedAt ?? now ?? this.lastAt;
    const expected = this.firstAt === null || until === null ? 0 : Math.round((Math.max(until, this.lastAt ?? until) - this.firstAt) / 10) + 1;
    const openFrom = this.lastToneAt;
    const open = openFrom !== null && until !== null && until > openFrom ? this.blame(openFrom, until) : 'none';
    const openMs = openFrom !== null && until !== null ? until - openFrom : 0;
    return {
      framesReceived: Math.round(this.framesMs / 10),
      framesExpected: expected,
      gapsOver100ms: this.gaps + (open === 'agent' ? 1 : 0),
      maxGapMs: Math.max(this.maxGapMs, open === 'agent' ? openMs : 0),
      generatorStalls: this.stalls + (open === 'generator' ? 1 : 0),
      gaps: open === 'agent' ? [...this.gapList, { at: until as number, ms: openMs }] : [...this.gapList],
      dominantHz: [...this.dominantHz],
    };
  }
}
