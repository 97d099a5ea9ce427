/** Produces a continuous 16-bit sine wave in chunks of any size. */
export class SineGenerator {
  private readonly peak: number;
  /** Samples emitted so far; the phase is derived from it, so it never drifts. */
  private emitted = 0;

  /**
   * @param freqHz tone frequency.
   * @param sampleRate output sample rate.
   * @param amplitude peak level, 0..1 of full scale.
   */
  constructor(
    private readonly freqHz: number,
    private readonly sampleRate: number,
    amplitude = 0.3,
  ) {
    this.peak = amplitude * 32767;
  }

  /** Returns the next `samples` mono samples, continuing where the last call ended. */
  next(samples: number): Int16Array {
    const out = new Int16Array(samples);
    for (let i = 0; i < samples; i++) {
      const cycles = ((this.emitted + i) * this.freqHz) / this.sampleRate;
      // Keep only the fractional cycle so sin() gets a small, exact-enough argument.
      out[i] = Math.round(this.peak * Math.sin(2 * Math.PI * (cycles - Math.floor(cycles))));
    }
    this.emitted += samples;
    return out;
  }
}
