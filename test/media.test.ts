import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaError, parseWav, readWav, requireFormat } from '../harness/media/wav.js';
import { parseSegments, readSegments } from '../harness/media/segments.js';
import { SineGenerator } from '../harness/media/sine.js';
import { dominantFrequency, isTone, rms } from '../harness/media/tone.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/speech.wav', import.meta.url));

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  // Odd-sized chunks carry a pad byte that is not counted in their size.
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
}

function fmtBody(rate: number, channels: number, bits: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(1, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

function wav(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

function pcm(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

/** Deterministic uniform noise in -1..1 (a small LCG), so tests never flake. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function noisyTone(hz: number, rate: number, seconds: number): Float32Array {
  const rand = noise(42);
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    0.3 * Math.sin((2 * Math.PI * hz * i) / rate + 0.7) + 0.05 * rand(),
  );
}

test('parseWav reads mono 48 kHz PCM', () => {
  const audio = parseWav(wav([chunk('fmt ', fmtBody(48000, 1, 16)), chunk('data', pcm([1, -2, 32767, -32768]))]), 'a.wav');
  assert.equal(audio.sampleRate, 48000);
  assert.equal(audio.channels, 1);
  assert.deepEqual([...audio.samples], [1, -2, 32767, -32768]);
  assert.equal(audio.durationMs, 4000 / 48000);
});

test('parseWav skips unknown chunks, odd-sized ones included', () => {
  const list = chunk('LIST', Buffer.from('INFOISFT', 'latin1').subarray(0, 7));
  const audio = parseWav(wav([chunk('fmt ', fmtBody(48000, 1, 16)), list, chunk('data', pcm([5, 6, 7]))]), 'b.wav');
  assert.deepEqual([...audio.samples], [5, 6, 7]);
});

test('parseWav reads stereo interleaved', () => {
  const audio = parseWav(wav([chunk('fmt ', fmtBody(16000, 2, 16)), chunk('data', pcm([1, 2, 3, 4]))]), 'c.wav');
  assert.equal(audio.channels, 2);
  assert.equal(audio.sampleRate, 16000);
  assert.deepEqual([...audio.samples], [1, 2, 3, 4]);
  assert.equal(audio.durationMs, 2000 / 16000);
});

test('parseWav accepts WAVE_FORMAT_EXTENSIBLE with PCM subformat', () => {
  const ext = Buffer.alloc(40);
  fmtBody(48000, 1, 16).copy(ext);
  ext.writeUInt16LE(0xfffe, 0);
  ext.writeUInt16LE(22, 16);
  ext.writeUInt16LE(1, 24);
  Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(ext, 26);
  const audio = parseWav(wav([chunk('fmt ', ext), chunk('data', pcm([9]))]), 'e.wav');
  assert.deepEqual([...audio.samples], [9]);
});

test('parseWav rejects unusable files with one clear line each', () => {
  const cases: [Buffer, RegExp][] = [
    [wav([chunk('fmt ', fmtBody(48000, 1, 8)), chunk('data', Buffer.from([1, 2]))]), /x\.wav: 8-bit, expected 16-bit PCM; convert it with: sox/],
    [Buffer.from('ID3\x04 not audio at all', 'latin1'), /x\.wav: not a WAV file/],
    [wav([chunk('fmt ', fmtBody(48000, 1, 16)), chunk('data', pcm([1, 2, 3, 4]))]).subarray(0, 50), /x\.wav: truncated/],
    [wav([chunk('fmt ', fmtBody(48000, 1, 16))]), /x\.wav: no data chunk/],
    [wav([chunk('fmt ', fmtBody(48000, 1, 16)), chunk('data', Buffer.alloc(0))]), /x\.wav: data chunk holds no audio/],
    [wav([chunk('data', pcm([1]))]), /x\.wav: no fmt chunk/],
    [Buffer.alloc(0), /x\.wav: file is empty/],
  ];
  for (const [buf, message] of cases) {
    assert.throws(() => parseWav(buf, 'x.wav'), (err: unknown) => {
      assert.ok(err instanceof MediaError);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
});

test('readWav names a missing file', async () => {
  await assert.rejects(readWav('/nonexistent/nope.wav'), { name: 'MediaError', message: 'speech file /nonexistent/nope.wav: not found' });
});

test('requireFormat names the rate and how to convert', () => {
  const audio = parseWav(wav([chunk('fmt ', fmtBody(44100, 1, 16)), chunk('data', pcm([0]))]), 'in/x.wav');
  assert.throws(() => requireFormat(audio, { sampleRate: 48000, channels: 1 }), {
    message: /^speech file in\/x\.wav: 44100 Hz mono, expected 48000 Hz mono 16-bit PCM; convert it with: sox .* -r 48000 -c 1 -b 16/,
  });
  requireFormat(audio, { sampleRate: 44100, channels: 1 });
});

test('parseSegments accepts sorted, non-overlapping spans', () => {
  const text = '[{"startMs": 0, "endMs": 100}, {"startMs": 100, "endMs": 250.5, "note": "x"}]';
  assert.deepEqual(parseSegments(text, 's.json', 300), [{ startMs: 0, endMs: 100 }, { startMs: 100, endMs: 250.5 }]);
});

test('parseSegments names the first bad entry', () => {
  const cases: [string, RegExp][] = [
    ['[{"startMs": 0, "endMs": 100}, {"startMs": 50, "endMs": 150}]', /s\.json: entry 1: overlaps entry 0/],
    ['[{"startMs": 200, "endMs": 250}, {"startMs": 0, "endMs": 100}]', /s\.json: entry 1: not sorted/],
    ['[{"startMs": 0, "endMs": 100}, {"startMs": 200, "endMs": 400}]', /s\.json: entry 1: endMs 400 is past the end/],
    ['[{"startMs": 10, "endMs": 10}]', /s\.json: entry 0: endMs 10 is not after startMs 10/],
    ['[{"startMs": -1, "endMs": 10}]', /s\.json: entry 0: startMs -1 is negative/],
    ['[{"startMs": "0", "endMs": 10}]', /s\.json: entry 0: expected/],
    ['{"startMs": 0, "endMs": 10}', /s\.json: expected a JSON array/],
    ['[]', /s\.json: no segments/],
    ['[{', /s\.json: not valid JSON/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseSegments(text, 's.json', 300), (err: unknown) => {
      assert.ok(err instanceof MediaError);
      assert.match(err.message, message);
      return true;
    });
  }
});

test('readSegments returns null when there is no segments file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voiceload-media-'));
  try {
    assert.equal(await readSegments(join(dir, 'user.wav'), 1000), null);
    await writeFile(join(dir, 'user.segments.json'), '[{"startMs": 10, "endMs": 20}]');
    assert.deepEqual(await readSegments(join(dir, 'user.wav'), 1000), [{ startMs: 10, endMs: 20 }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SineGenerator keeps phase across calls', () => {
  const split = new SineGenerator(440, 48000);
  const joined = [...split.next(100), ...split.next(380)];
  assert.deepEqual(joined, [...new SineGenerator(440, 48000).next(480)]);
  assert.ok(Math.abs(rms(new SineGenerator(1000, 48000, 0.5).next(4800)) - 0.5 / Math.SQRT2) < 1e-3);
});

test('dominantFrequency finds noisy tones to within 1 Hz', () => {
  for (const rate of [48000, 16000]) {
    for (const hz of [440, 1000]) {
      const found = dominantFrequency(noisyTone(hz, rate, 0.25), rate);
      assert.ok(Math.abs(found.hz - hz) < 1, `${hz} Hz at ${rate} Hz: got ${found.hz}`);
      assert.ok(found.power > 0.9, `power ${found.power}`);
    }
  }
  const ints = new SineGenerator(1000, 48000).next(12000);
  assert.ok(Math.abs(dominantFrequency(ints, 48000).hz - 1000) < 1);
});

test('isTone rejects silence and the wrong frequency', () => {
  const rate = 48000;
  assert.equal(isTone(new Int16Array(12000), rate, 440), false);
  assert.equal(isTone(new SineGenerator(600, rate).next(12000), rate, 440), false);
  assert.equal(isTone(new SineGenerator(440, rate).next(12000), rate, 440), true);
  assert.equal(isTone(noisyTone(440, 16000, 0.25), 16000, 440), true);
});

test('the committed speech fixture matches its ground truth', async () => {
  const audio = await readWav(FIXTURE);
  requireFormat(audio, { sampleRate: 48000, channels: 1 });
  const segments = await readSegments(FIXTURE, audio.durationMs);
  assert.ok(segments, 'fixtures/speech.segments.json is missing');
  assert.ok(segments.length >= 3 && segments.length <= 8, `${segments.length} segments`);

  const slice = (fromMs: number, toMs: number): Int16Array =>
    audio.samples.subarray(Math.round((fromMs * 48000) / 1000), Math.round((toMs * 48000) / 1000));
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const gaps: [number, number][] = [[0, first.startMs], [last.endMs, audio.durationMs]];
  for (let i = 1; i < segments.length; i++) {
    const gap: [number, number] = [segments[i - 1]!.endMs, segments[i]!.startMs];
    assert.ok(gap[1] - gap[0] >= 700, `gap before segment ${i} is ${gap[1] - gap[0]} ms`);
    gaps.push(gap);
  }
  const wrap = audio.durationMs - last.endMs + first.startMs;
  assert.ok(wrap >= 700, `loop gap is ${wrap} ms`);

  for (const [i, s] of segments.entries()) {
    assert.ok(rms(slice(s.startMs, s.endMs)) > 0.03, `segment ${i} is too quiet: ${rms(slice(s.startMs, s.endMs))}`);
  }
  for (const [from, to] of gaps) assert.ok(rms(slice(from, to)) < 0.001, `gap ${from}-${to} ms is not silent`);
});
