import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { paths } from '../harness/common/paths.js';
import { readWav } from '../harness/media/wav.js';
import { DEFAULT_DETECTOR, SpeechDetector, type VadEvent } from '../harness/vad/detector.js';
import { SileroVad } from '../harness/vad/silero.js';
import { CONTEXT_SAMPLES, VAD_SAMPLE_RATE, WINDOW_SAMPLES, Windower } from '../harness/vad/windower.js';

/** Samples whose value is their index, so every window can be checked by hand. */
const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => i);
/** The expected model input: `context` then `fresh`, as sample values / 32768. */
const input = (context: number[], fresh: number[]): Float32Array => Float32Array.from([...context, ...fresh], (v) => v / 32768);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('Windower: the constants are Silero 16 kHz', () => {
  assert.equal(WINDOW_SAMPLES, 512);
  assert.equal(CONTEXT_SAMPLES, 64);
  assert.equal(VAD_SAMPLE_RATE, 16000);
});

test('Windower: 576-sample windows, zero context first, then the last 64 new samples of the previous window', () => {
  const w = new Windower();
  const windows = w.push(ramp(1536));
  assert.equal(windows.length, 3);
  for (const win of windows) assert.equal(win.length, 576);
  assert.deepEqual(windows[0], input(new Array<number>(64).fill(0), range(0, 512)));
  assert.deepEqual(windows[1], input(range(448, 512), range(512, 1024)));
  assert.deepEqual(windows[2], input(range(960, 1024), range(1024, 1536)));
  for (let n = 1; n < windows.length; n++) {
    assert.deepEqual(windows[n]!.subarray(0, 64), windows[n - 1]!.subarray(576 - 64), `context of window ${n}`);
  }
});

test('Windower: an incomplete window is held back until it is filled', () => {
  const w = new Windower();
  assert.deepEqual(w.push(ramp(511)), []);
  const [win, ...rest] = w.push(Int16Array.from([511, 512]));
  assert.equal(rest.length, 0);
  assert.deepEqual(win, input(new Array<number>(64).fill(0), range(0, 512)));
  // The sample left over (512) starts the next window.
  const next = w.push(Int16Array.from(range(513, 1024)));
  assert.equal(next.length, 1);
  assert.deepEqual(next[0], input(range(448, 512), range(512, 1024)));
});

test('Windower: uneven chunks give exactly the windows of one big push', () => {
  const all = ramp(2000);
  const whole = new Windower().push(all);
  assert.equal(whole.length, 3); // 2000 = 3 x 512 + 464 held back

  const chunked = new Windower();
  const sizes = [100, 700, 3, 733, 1, 463];
  const counts: number[] = [];
  const got: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    const out = chunked.push(all.subarray(offset, offset + size));
    offset += size;
    counts.push(out.length);
    got.push(...out);
  }
  assert.equal(offset, 2000);
  // Windows complete at sample 512 (in the 700), 1024 and 1536 (both in the 733).
  assert.deepEqual(counts, [0, 1, 0, 2, 0, 0]);
  assert.deepEqual(got, whole);
});

test('Windower: int16 -> float32 divides by 32768', () => {
  const w = new Windower();
  const samples = new Int16Array(512);
  samples.set([-32768, 32767, 16384, -1, 0, 1]);
  const [win] = w.push(samples);
  assert.ok(win);
  assert.deepEqual([...win.subarray(64, 70)], [-1, 32767 / 32768, 0.5, -1 / 32768, 0, 1 / 32768]);
  // Later windows are new arrays: changing one does not touch the next one's context.
  win.fill(9);
  const [second] = w.push(new Int16Array(512));
  assert.deepEqual([...second!.subarray(0, 64)], new Array<number>(64).fill(0));
});

/** Feeds probabilities and returns each event with the index of the window that triggered it. */
function run(probs: number[], det = new SpeechDetector()): Array<VadEvent & { at: number }> {
  const out: Array<VadEvent & { at: number }> = [];
  probs.forEach((p, i) => {
    const e = det.push(p);
    if (e) out.push({ ...e, at: i });
  });
  return out;
}
const rep = (p: number, n: number): number[] => new Array<number>(n).fill(p);

test('SpeechDetector: the defaults are those of the brief', () => {
  assert.deepEqual(DEFAULT_DETECTOR, { activationThreshold: 0.5, deactivationThreshold: 0.35, minSpeechMs: 50, minSilenceMs: 550, windowMs: 32 });
});

test('SpeechDetector: speech starts on the second window >= 0.5, dated at the first', () => {
  // Windows 0,1 silent; 2,3 speech: 64 ms >= 50 ms at window 3, speech began at 2 x 32 = 64 ms.
  assert.deepEqual(run([0.1, 0.2, 0.9, 0.8, 0.9]), [{ kind: 'start', audioMs: 64, at: 3 }]);
  // The activation threshold itself counts as speech.
  assert.deepEqual(run([0.5, 0.5]), [{ kind: 'start', audioMs: 0, at: 1 }]);
  const det = new SpeechDetector();
  det.push(0.9);
  assert.equal(det.isSpeaking, false);
  det.push(0.9);
  assert.equal(det.isSpeaking, true);
});

test('SpeechDetector: single-window spikes never start speech', () => {
  assert.deepEqual(run([0.9, 0.1, 0.9, 0.2, 0.99, 0.0, 1.0, 0.3]), []);
  // A value between the thresholds is not speech while not speaking: it breaks the run too.
  assert.deepEqual(run([0.9, 0.45, 0.9, 0.49, 0.9]), []);
  assert.deepEqual(run([0.9, 0.45, 0.9, 0.9]), [{ kind: 'start', audioMs: 64, at: 3 }]);
});

test('SpeechDetector: speech ends after 18 windows (576 ms >= 550 ms) below 0.35, dated at the first', () => {
  const seventeen = run([...rep(0.9, 2), ...rep(0.1, 17)]);
  assert.deepEqual(seventeen, [{ kind: 'start', audioMs: 0, at: 1 }]);
  const det = new SpeechDetector();
  const events = run([...rep(0.9, 5), ...rep(0.1, 18), ...rep(0.1, 10)], det);
  // Silence began at window 5 = 160 ms; the 18th silent window is window 22.
  assert.deepEqual(events, [
    { kind: 'start', audioMs: 0, at: 1 },
    { kind: 'end', audioMs: 160, at: 22 },
  ]);
  assert.equal(det.isSpeaking, false);
});

test('SpeechDetector: probabilities between 0.35 and 0.5 keep speech going', () => {
  const det = new SpeechDetector();
  // 100 windows in the band (3.2 s) end nothing; then 18 below 0.35 do, dated at window 102.
  const events = run([0.9, 0.9, ...rep(0.4, 50), 0.35, ...rep(0.49, 49), ...rep(0.34, 18)], det);
  assert.deepEqual(events, [
    { kind: 'start', audioMs: 0, at: 1 },
    { kind: 'end', audioMs: 102 * 32, at: 119 },
  ]);
});

test('SpeechDetector: speech inside the silence restarts the count; speech after an end starts again', () => {
  const probs = [...rep(0.9, 2), ...rep(0.1, 17), 0.9, ...rep(0.1, 17), ...rep(0.1, 1), ...rep(0.0, 5), 0.7, 0.6];
  // 17 + 1 speech + 17: no end; the 18th silent window after the speech (window 37) ends it,
  // dated at window 20 (640 ms). Windows 43 and 44 start speech again at 43 x 32 = 1376 ms.
  assert.deepEqual(run(probs), [
    { kind: 'start', audioMs: 0, at: 1 },
    { kind: 'end', audioMs: 640, at: 37 },
    { kind: 'start', audioMs: 1376, at: 44 },
  ]);
});

test('SpeechDetector: other options are honoured', () => {
  const det = new SpeechDetector({ activationThreshold: 0.8, deactivationThreshold: 0.2, minSpeechMs: 100, minSilenceMs: 100, windowMs: 10 });
  // 0.7 is below activation: not speech. Ten windows >= 0.8 (100 ms) start it at 30 ms.
  const events = run([0.1, 0.7, 0.7, ...rep(0.8, 10), ...rep(0.5, 3), ...rep(0.1, 10)], det);
  assert.deepEqual(events, [
    { kind: 'start', audioMs: 30, at: 12 },
    { kind: 'end', audioMs: 160, at: 25 },
  ]);
});

/** 48 kHz -> 16 kHz: the mean of each group of three samples. */
function decimate3(samples: Int16Array): Int16Array {
  const out = new Int16Array(Math.floor(samples.length / 3));
  for (let j = 0; j < out.length; j++) {
    out[j] = Math.round((samples[3 * j]! + samples[3 * j + 1]! + samples[3 * j + 2]!) / 3);
  }
  return out;
}

test('the real Silero model finds every sentence of the speech fixture', { timeout: 60_000 }, async () => {
  const audio = await readWav(`${paths.fixtures}/speech.wav`);
  assert.equal(audio.sampleRate, 48000);
  assert.equal(audio.channels, 1);
  const segments = JSON.parse(await readFile(`${paths.fixtures}/speech.segments.json`, 'utf8')) as Array<{ startMs: number; endMs: number }>;
  assert.ok(segments.length >= 3);

  const windows = new Windower().push(decimate3(audio.samples));
  // 15.5 s at 16 kHz is about 484 windows of 32 ms.
  assert.equal(windows.length, Math.floor(Math.floor(audio.samples.length / 3) / 512));
  const vad = await SileroVad.load(paths.sileroModel);
  const detector = new SpeechDetector();
  const events: VadEvent[] = [];
  const probs: number[] = [];
  try {
    for (const w of windows) {
      const p = await vad.infer(w);
      probs.push(p);
      const e = detector.push(p);
      if (e) events.push(e);
    }
  } finally {
    await vad.close();
  }
  for (const p of probs) assert.ok(p >= 0 && p <= 1, `probability ${p}`);
  const starts = events.filter((e) => e.kind === 'start').map((e) => e.audioMs);
  const ends = events.filter((e) => e.kind === 'end').map((e) => e.audioMs);
  const detail = `starts ${starts.join(', ')}; ends ${ends.join(', ')}`;

  for (const s of segments) {
    assert.ok(starts.some((t) => t >= s.startMs - 100 && t <= s.startMs + 300), `no start near ${s.startMs} ms: ${detail}`);
  }
  // Speech and silence alternate: every sentence but the last is followed by a pause long enough to end it.
  assert.ok(ends.length >= segments.length - 1, detail);
  // No start in the middle of a silence: the lead-in, and each pause between sentences.
  const silences: Array<[number, number]> = [[0, segments[0]!.startMs]];
  for (let i = 1; i < segments.length; i++) silences.push([segments[i - 1]!.endMs, segments[i]!.startMs]);
  for (const [from, to] of silences) {
    const inside = starts.filter((t) => t > from + 100 && t < to - 100);
    assert.deepEqual(inside, [], `start inside the silence ${from}-${to} ms: ${detail}`);
  }
  // And no more starts than sentences: the state carried across windows keeps each sentence whole.
  assert.equal(starts.length, segments.length, detail);
});

test('SileroVad carries its recurrent state from window to window; refuses a wrong-sized input', { timeout: 60_000 }, async () => {
  const audio = await readWav(`${paths.fixtures}/speech.wav`);
  // A window one second in: inside the first sentence (500-2232 ms).
  const window = new Windower().push(decimate3(audio.samples)).at(31);
  assert.ok(window);
  const a = await SileroVad.load(paths.sileroModel);
  const b = await SileroVad.load(paths.sileroModel);
  try {
    const first = await a.infer(window);
    const again = await a.infer(window);
    const fresh = await b.infer(window);
    // A fresh model gives the same answer as the first call: the model is deterministic...
    assert.ok(Math.abs(first - fresh) < 1e-6, `${first} vs ${fresh}`);
    // ...so the second call differs only because the state after the first was carried into it.
    assert.ok(Math.abs(again - first) > 0.01, `same window twice: ${first} then ${again}`);
    await assert.rejects(a.infer(new Float32Array(512)), /silero input must be 576 samples, got 512/);
  } finally {
    await a.close();
    await b.close();
  }
});

/** Feeds probabilities to a fresh detector; returns [window index, event] pairs. */
function detect(probabilities: number[]): Array<[number, VadEvent]> {
  const d = new SpeechDetector();
  return probabilities.flatMap((p, i) => {
    const e = d.push(p);
    return e ? [[i, e] as [number, VadEvent]] : [];
  });
}

test('SpeechDetector: a window between the thresholds while speaking restarts the silence count', () => {
  const low = (n: number) => new Array<number>(n).fill(0.1);
  // 10 low windows, one at 0.4 (still speech), then 8 low: never 18 low windows in a row, so no end.
  assert.deepEqual(detect([0.9, 0.9, ...low(10), 0.4, ...low(8)]), [[1, { kind: 'start', audioMs: 0 }]]);
  // Alternating 0.1 / 0.4 is never 550 ms of silence.
  const alternating = Array.from({ length: 34 }, (_, i) => (i % 2 ? 0.4 : 0.1));
  assert.deepEqual(detect([0.9, 0.9, ...alternating, 0.1]), [[1, { kind: 'start', audioMs: 0 }]]);
  // After the 0.4, 18 low windows (576 ms) end speech, dated at the first of them: window 13 starts at 13 * 32 ms.
  assert.deepEqual(detect([0.9, 0.9, ...low(10), 0.4, ...low(18)]), [
    [1, { kind: 'start', audioMs: 0 }],
    [30, { kind: 'end', audioMs: 416 }],
  ]);
});
