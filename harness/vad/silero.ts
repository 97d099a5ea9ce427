import ort from 'onnxruntime-node';
import { CONTEXT_SAMPLES, VAD_SAMPLE_RATE, WINDOW_SAMPLES } from './windower.js';

/**
 * The Silero VAD model on onnxruntime-node: one session, one intra-op thread (one agent is one
 * job process; it must not fan out over every core), its recurrent state carried across windows.
 */
export class SileroVad {
  private state = new Float32Array(2 * 1 * 128);
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]));

  private constructor(private readonly session: ort.InferenceSession) {}

  /** Loads the model file (the one shipped inside @livekit/agents-plugin-silero). */
  static async load(modelPath: string): Promise<SileroVad> {
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
    return new SileroVad(session);
  }

  /** Speech probability of one window: 64 context samples then 512 new ones, float32 in -1..1. */
  async infer(input: Float32Array): Promise<number> {
    if (input.length !== CONTEXT_SAMPLES + WINDOW_SAMPLES) {
      throw new Error(`silero input must be ${CONTEXT_SAMPLES + WINDOW_SAMPLES} samples, got ${input.length}`);
    }
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [1, input.length]),
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    this.state = new Float32Array(out.stateN!.data as Float32Array);
    return (out.output!.data as Float32Array)[0] ?? 0;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
