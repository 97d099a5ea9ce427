import { AudioResampler, AudioStream, type RemoteAudioTrack } from '@livekit/rtc-node';
import type { LatencyHistogram } from '../results/histogram.js';
import { SpeechDetector, type VadEvent } from '../vad/detector.js';
import type { SileroVad } from '../vad/silero.js';
import { VAD_SAMPLE_RATE, Windower } from '../vad/windower.js';
import { SAMPLE_RATE } from '../media/paced-publisher.js';

/**
 * Listens to one remote audio track: 48 kHz from WebRTC, resampled to 16 kHz with rtc-node's
 * resampler, cut into Silero windows, each run through the model in order, probabilities turned
 * into speech start/end events. Inference is awaited frame by frame, so an agent that cannot keep
 * up falls behind (and its onset lag grows) instead of dropping audio.
 */
export async function listen(
  track: RemoteAudioTrack,
  vad: SileroVad,
  inferMs: LatencyHistogram,
  onEvent: (event: VadEvent, windows: number) => void,
  signal: AbortSignal,
): Promise<number> {
  const stream = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 });
  const resampler = new AudioResampler(SAMPLE_RATE, VAD_SAMPLE_RATE, 1);
  const windower = new Windower();
  const detector = new SpeechDetector();
  let windows = 0;
  try {
    for await (const frame of stream) {
      if (signal.aborted) break;
      for (const out of resampler.push(frame)) {
        for (const input of windower.push(out.data)) {
          const started = performance.now();
          const probability = await vad.infer(input);
          inferMs.record(performance.now() - started);
          windows++;
          const event = detector.push(probability);
          if (event) onEvent(event, windows);
        }
      }
    }
  } finally {
    resampler.close();
    await stream.cancel().catch(() => undefined);
  }
  return windows;
}
