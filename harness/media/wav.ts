import { readFile } from 'node:fs/promises';

/** 16-bit PCM audio held in memory. */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved when channels > 1. */
  samples: Int16Array;
  durationMs: number;
  /** The file it was read from, used to name it in errors. */
  source?: string;
}

/** A media file that cannot be used; the message is one line saying what is wrong and how to fix it. */
export class MediaError extends Error {
  override name = 'MediaError';
}

const CONVERT_HINT = 'convert it with: sox in.wav -r 48000 -c 1 -b 16 out.wav';
const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs; bytes 0..1 hold the format code. */
const SUBTYPE_GUID_TAIL = Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);

interface FmtChunk { formatTag: number; channels: number; sampleRate: number; blockAlign: number; bitsPerSample: number }

function fail(name: string, what: string): never {
  throw new MediaError(`speech file ${name}: ${what}`);
}

function parseFmt(buf: Buffer, name: string): FmtChunk {
  if (buf.length < 16) fail(name, `fmt chunk is ${buf.length} bytes, expected at least 16; the file is damaged`);
  let formatTag = buf.readUInt16LE(0);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (buf.length < 40) fail(name, `extensible fmt chunk is ${buf.length} bytes, expected 40; the file is damaged`);
    const guidTail = buf.subarray(26, 40);
    // Only the standard subtype GUIDs carry a plain format code in their first two bytes.
    formatTag = guidTail.equals(SUBTYPE_GUID_TAIL) ? buf.readUInt16LE(24) : -1;
  }
  return {
    formatTag,
    channels: buf.readUInt16LE(2),
    sampleRate: buf.readUInt32LE(4),
    blockAlign: buf.readUInt16LE(12),
    bitsPerSample: buf.readUInt16LE(14),
  };
}

function checkFmt(fmt: FmtChunk, name: string): void {
  if (fmt.formatTag !== WAVE_FORMAT_PCM) {
    const kind = fmt.formatTag === 3 ? 'floating point' : fmt.formatTag === -1 ? 'an unknown subformat' : `format ${fmt.formatTag}`;
    fail(name, `encoded as ${kind}, expected 16-bit PCM; ${CONVERT_HINT}`);
  }
  if (fmt.bitsPerSample !== 16) fail(name, `${fmt.bitsPerSample}-bit, expected 16-bit PCM; ${CONVERT_HINT}`);
  if (fmt.channels !== 1 && fmt.channels !== 2) fail(name, `${fmt.channels} channels, expected 1 or 2; ${CONVERT_HINT}`);
  if (fmt.sampleRate <= 0) fail(name, `sample rate is ${fmt.sampleRate}; the file is damaged`);
  if (fmt.blockAlign !== fmt.channels * 2) {
    fail(name, `block size ${fmt.blockAlign} does not match ${fmt.channels} x 16-bit; the file is damaged`);
  }
}

/** Finds the fmt and data chunks, skipping any others (LIST, fact, cue, ...). */
function findChunks(buf: Buffer, name: string): { fmt: Buffer; data: Buffer } {
  let fmt: Buffer | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + size > buf.length) {
      fail(name, `truncated: "${id}" chunk declares ${size} bytes but only ${buf.length - body} remain; regenerate or re-export the file`);
    }
    if (id === 'fmt ') fmt = buf.subarray(body, body + size);
    if (id === 'data') {
      if (!fmt) fail(name, 'no fmt chunk before the audio data; the file is damaged');
      return { fmt, data: buf.subarray(body, body + size) };
    }
    // Chunks are word aligned: an odd-sized chunk is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  if (!fmt) fail(name, 'no fmt chunk; the file is truncated or damaged');
  return fail(name, 'no data chunk; the file is truncated or holds no audio');
}

/**
 * Parses a RIFF/WAVE file held in memory. Accepts 16-bit PCM (plain or
 * WAVE_FORMAT_EXTENSIBLE), mono or stereo, any sample rate.
 * @param name the file's path, used in error messages.
 * @throws MediaError naming the file, what is wrong and how to fix it.
 */
export function parseWav(buf: Buffer, name: string): PcmAudio {
  if (buf.length === 0) fail(name, 'file is empty');
  const magic = buf.toString('latin1', 0, Math.min(4, buf.length));
  if (magic !== 'RIFF') {
    const why = magic === 'RIFX' || magic === 'RF64' ? `a ${magic} file` : 'not a WAV file (no RIFF header)';
    fail(name, `${why}, expected 48000 Hz mono 16-bit PCM WAV; ${CONVERT_HINT}`);
  }
  if (buf.length < 12) fail(name, `truncated: only ${buf.length} bytes`);
  if (buf.toString('latin1', 8, 12) !== 'WAVE') fail(name, `a RIFF file but not WAVE audio; ${CONVERT_HINT}`);
  const chunks = findChunks(buf, name);
  const fmt = parseFmt(chunks.fmt, name);
  checkFmt(fmt, name);
  // A trailing partial frame cannot be played; drop it.
  const frames = Math.floor(chunks.data.length / fmt.blockAlign);
  if (frames === 0) fail(name, 'data chunk holds no audio samples');
  const samples = new Int16Array(frames * fmt.channels);
  for (let i = 0; i < samples.length; i++) samples[i] = chunks.data.readInt16LE(i * 2);
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    samples,
    durationMs: (frames * 1000) / fmt.sampleRate,
    source: name,
  };
}

/**
 * Reads and parses a WAV file; see {@link parseWav}.
 * @throws MediaError when the file is missing, unreadable or not usable audio.
 */
export async function readWav(path: string): Promise<PcmAudio> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MediaError(`speech file ${path}: not found`);
    if (code === 'EISDIR') throw new MediaError(`speech file ${path}: is a directory, expected a .wav file`);
    throw new MediaError(`speech file ${path}: cannot read it (${code ?? String(err)})`);
  }
  return parseWav(buf, path);
}

/**
 * Checks that audio has the given sample rate and channel count.
 * @param name the file to name in the error; defaults to where the audio was read from.
 * @throws MediaError saying what the audio is, what was expected and how to convert it.
 */
export function requireFormat(
  audio: PcmAudio,
  want: { sampleRate: number; channels: number },
  name: string = audio.source ?? 'audio',
): void {
  if (audio.sampleRate === want.sampleRate && audio.channels === want.channels) return;
  const layout = (n: number): string => (n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`);
  const hint = `sox in.wav -r ${want.sampleRate} -c ${want.channels} -b 16 out.wav`;
  throw new MediaError(
    `speech file ${name}: ${audio.sampleRate} Hz ${layout(audio.channels)}, ` +
      `expected ${want.sampleRate} Hz ${layout(want.channels)} 16-bit PCM; convert it with: ${hint}`,
  );
}
