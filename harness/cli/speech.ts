import { UsageError } from '../common/errors.js';
import { MediaError, readWav, requireFormat } from '../media/wav.js';
import { readSegments } from '../media/segments.js';
import { paths } from '../common/paths.js';
import type { Segment } from '../results/types.js';

/** The shortest speech file accepted, ms. */
export const MIN_SPEECH_MS = 1000;

/** Loads and checks the speech users will loop; its ground truth when there is one. */
export async function loadSpeech(file: string | null): Promise<{ path: string; segments: Segment[]; hasTruth: boolean }> {
  const wav = file ?? paths.defaultSpeech;
  try {
    const audio = await readWav(wav);
    requireFormat(audio, { sampleRate: 48_000, channels: 1 });
    // Users loop it and VAD judges it in 32 ms windows: a clip shorter than a second cannot be measured.
    if (audio.durationMs < MIN_SPEECH_MS) {
      throw new UsageError(`--speech ${wav}: ${audio.samples.length} samples (${audio.durationMs.toFixed(1)} ms) is too short; give at least ${MIN_SPEECH_MS / 1000} s of speech`);
    }
    const segments = await readSegments(wav, audio.durationMs);
    return { path: wav, segments: segments ?? [], hasTruth: segments !== null };
  } catch (err) {
    if (err instanceof MediaError) throw new UsageError(err.message);
    throw err;
  }
}
