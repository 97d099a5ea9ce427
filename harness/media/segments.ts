import { readFile } from 'node:fs/promises';
import { MediaError } from './wav.js';

/** One speech segment of the looping fixture, relative to the start of the loop. */
export interface Segment { startMs: number; endMs: number }

/** Where the ground truth for a speech file lives: `x.wav` -> `x.segments.json`. */
export function segmentsPathFor(wavPath: string): string {
  return `${wavPath.replace(/\.wav$/i, '')}.segments.json`;
}

function fail(name: string, what: string): never {
  throw new MediaError(`segments file ${name}: ${what}`);
}

/**
 * Parses and validates ground-truth speech segments: a JSON array of
 * `{startMs, endMs}` with 0 <= startMs < endMs <= durationMs, sorted and
 * non-overlapping (touching is allowed).
 * @param name the file's path, used in error messages.
 * @param durationMs length of the audio the segments describe.
 * @throws MediaError naming the file and the first bad entry.
 */
export function parseSegments(text: string, name: string, durationMs: number): Segment[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(name, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(json)) fail(name, 'expected a JSON array of {"startMs": n, "endMs": n} objects');
  if (json.length === 0) fail(name, 'no segments; list at least one span of speech, or delete the file');
  const out: Segment[] = [];
  for (const [i, entry] of json.entries()) {
    const { startMs, endMs } = (entry ?? {}) as Record<string, unknown>;
    if (typeof startMs !== 'number' || typeof endMs !== 'number' || !Number.isFinite(startMs) || !Number.isFinite(endMs)) {
      fail(name, `entry ${i}: expected {"startMs": n, "endMs": n} with numbers, got ${JSON.stringify(entry)}`);
    }
    if (startMs < 0) fail(name, `entry ${i}: startMs ${startMs} is negative`);
    if (endMs <= startMs) fail(name, `entry ${i}: endMs ${endMs} is not after startMs ${startMs}`);
    if (endMs > durationMs) fail(name, `entry ${i}: endMs ${endMs} is past the end of the audio (${Math.round(durationMs)} ms)`);
    const prev = out[out.length - 1];
    if (prev && startMs < prev.startMs) fail(name, `entry ${i}: not sorted, starts at ${startMs} ms before entry ${i - 1} (${prev.startMs} ms)`);
    if (prev && startMs < prev.endMs) fail(name, `entry ${i}: overlaps entry ${i - 1}, starts at ${startMs} ms before it ends at ${prev.endMs} ms`);
    out.push({ startMs, endMs });
  }
  return out;
}

/**
 * Reads the ground truth beside a speech file, see {@link segmentsPathFor}.
 * @returns the segments, or null when there is no segments file.
 * @throws MediaError when the file exists but is unreadable or invalid.
 */
export async function readSegments(wavPath: string, durationMs: number): Promise<Segment[] | null> {
  const path = segmentsPathFor(wavPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    fail(path, `cannot read it (${code ?? String(err)})`);
  }
  return parseSegments(text, path, durationMs);
}
