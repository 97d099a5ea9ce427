/** Thresholds of the speech detector; the defaults are those of LiveKit's Silero plugin. */
export interface DetectorOptions {
  activationThreshold: number;
  deactivationThreshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  windowMs: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = {
  activationThreshold: 0.5,
  deactivationThreshold: 0.35,
  minSpeechMs: 50,
  minSilenceMs: 550,
  windowMs: 32,
};

/** A decision of the detector: speech started or ended, with the audio time it refers to. */
export interface VadEvent {
  kind: 'start' | 'end';
  /** Audio time (ms since the first window) at which the speech or silence began. */
  audioMs: number;
}

/**
 * Turns per-window speech probabilities into start/end events, with hysteresis: speech starts after
 * `minSpeechMs` above the activation threshold and ends after `minSilenceMs` below the deactivation one.
 * Pure: feed it probabilities, it returns events.
 */
export class SpeechDetector {
  private speaking = false;
  private speechMs = 0;
  private silenceMs = 0;
  private audioMs = 0;

  constructor(private readonly opts: DetectorOptions = DEFAULT_DETECTOR) {}

  get isSpeaking(): boolean {
    return this.speaking;
  }

  /** Feeds the probability of one window; returns the event it triggers, if any. */
  push(probability: number): VadEvent | null {
    const { windowMs } = this.opts;
    this.audioMs += windowMs;
    if (probability >= this.opts.activationThreshold) {
      this.speechMs += windowMs;
      this.silenceMs = 0;
      if (!this.speaking && this.speechMs >= this.opts.minSpeechMs) {
        this.speaking = true;
        return { kind: 'start', audioMs: this.audioMs - this.speechMs };
      }
      return null;
    }
    if (this.speaking && probability >= this.opts.deactivationThreshold) {
      // Between the thresholds while speaking: still speech, so the silence run starts over.
      this.silenceMs = 0;
      return null;
    }
    this.silenceMs += windowMs;
    if (!this.speaking) {
      this.speechMs = 0;
      return null;
    }
    if (this.silenceMs >= this.opts.minSilenceMs) {
      this.speaking = false;
      this.speechMs = 0;
      return { kind: 'end', audioMs: this.audioMs - this.silenceMs };
    }
    return null;
  }
}
