/** Silero's window at 16 kHz: 512 new samples, with the previous 64 samples in front as context. */
export const WINDOW_SAMPLES = 512;
export const CONTEXT_SAMPLES = 64;
export const VAD_SAMPLE_RATE = 16_000;

/**
 * Cuts a stream of 16 kHz int16 audio into Silero model inputs: each one is the last 64 samples of
 * the previous window followed by 512 new samples, as float32 in -1..1. Pure: no model, no I/O.
 */
export class Windower {
  private readonly pending = new Float32Array(WINDOW_SAMPLES);
  private filled = 0;
  private readonly context = new Float32Array(CONTEXT_SAMPLES);

  /** Adds samples; returns every complete model input (length 576) they finish, in order. */
  push(samples: Int16Array): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.pending[this.filled++] = (samples[i] ?? 0) / 32768;
      if (this.filled === WINDOW_SAMPLES) {
        const input = new Float32Array(CONTEXT_SAMPLES + WINDOW_SAMPLES);
        input.set(this.context, 0);
        input.set(this.pending, CONTEXT_SAMPLES);
        this.context.set(this.pending.subarray(WINDOW_SAMPLES - CONTEXT_SAMPLES));
        this.filled = 0;
        out.push(input);
      }
    }
    return out;
  }
}
