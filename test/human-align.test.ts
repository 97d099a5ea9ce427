/**
 * Finding the fixture's sentences in what the probe's fake microphone captured. The capture is
 * simulated the way Chromium's fake device behaves (measured: it starts at an arbitrary point of
 * the page's clock, delivers 10 ms chunks, and pads each pass of the file to whole buffers, so the
 * loop's period is a little longer than the file), and the onsets found are checked against where
 * the simulation put them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignOnsets, captureGrid, chunkEnergies, ENVELOPE_STEP_MS, fixtureEnvelope, type EnvelopeChunk } from '../harness/human/align.js';
import type { Segment } from '../harness/results/types.js';

const RATE = 48_000;
const SEGMENTS: Segment[] = [{ startMs: 400, endMs: 1300 }, { startMs: 2100, endMs: 2700 }, { startMs: 3300, endMs: 3900 }];
const FILE_MS = 4_437; // not a whole number of 10 ms buffers: each pass gets padded

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** The fixture: noise "sentences" with a syllable-like envelope, digital silence between them. */
function fixture(): Int16Array {
  const rnd = lcg(7);
  const out = new Int16Array(Math.round((FILE_MS * RATE) / 1000));
  for (const s of SEGMENTS) {
    for (let i = Math.round((s.startMs * RATE) / 1000); i < Math.round((s.endMs * RATE) / 1000); i++) {
      const syllable = 0.55 + 0.45 * Math.sin((2 * Math.PI * i) / (0.21 * RATE));
      out[i] = Math.round(rnd() * 9000 * syllable);
    }
  }
  return out;
}

interface Capture { chunks: EnvelopeChunk[]; truth: number[]; periodMs: number }

/**
 * Chromium-like capture: the file looped, each pass padded with zeros to whole 480-sample buffers,
 * the first buffer starting `startAt` ms on the page clock and `skipMs` into the file.
 */
function capture(file: Int16Array, startAt: number, skipMs: number, durationMs: number, gain = 1): Capture {
  const per = 480;
  const padded = Math.ceil(file.length / per) * per;
  const skip = Math.round((skipMs * RATE) / 1000);
  const chunks: EnvelopeChunk[] = [];
  const total = Math.round((durationMs * RATE) / 1000 / per);
  for (let c = 0; c < total; c++) {
    const buf = new Float32Array(per);
    for (let i = 0; i < per; i++) {
      const pos = (skip + c * per + i) % padded;
      buf[i] = pos < file.length ? (gain * file[pos]!) / 32768 : 0;
    }
    chunks.push({ at: startAt + c * 10, ...chunkEnergies(buf, RATE) });
  }
  // Onset j of pass k is captured at: start + (k·padded + onset sample − skip) / rate.
  const truth: number[] = [];
  for (let k = 0; k * padded - skip < total * per; k++) {
    for (const s of SEGMENTS) {
      const sample = k * padded + Math.round((s.startMs * RATE) / 1000) - skip;
      if (sample >= 0 && sample < total * per) truth.push(startAt + (sample / RATE) * 1000);
    }
  }
  return { chunks, truth, periodMs: (padded / RATE) * 1000 };
}

const FIX = fixtureEnvelope(fixture(), RATE);

test('chunkEnergies splits a 10 ms chunk into four 2.5 ms parts of mean square', () => {
  const buf = new Float32Array(480).fill(0);
  for (let i = 120; i < 240; i++) buf[i] = 0.5;
  const { ms, e } = chunkEnergies(buf, RATE);
  assert.equal(ms, 10);
  assert.deepEqual(e, [0, 0.25, 0, 0]);
  // 441 frames at 44.1 kHz (Chromium's fake device): still four parts, of 110 or 111 frames.
  assert.equal(chunkEnergies(new Float32Array(441), 44_100).e.length, 4);
});

test('captureGrid places chunks on a 2.5 ms grid and leaves holes where nothing arrived', () => {
  const grid = captureGrid([{ at: 1000, ms: 10, e: [1, 2, 3, 4] }, { at: 1020, ms: 10, e: [5, 6, 7, 8] }]);
  assert.ok(grid);
  assert.equal(grid.t0, 1000);
  assert.equal(grid.values.length, 12);
  assert.deepEqual([...grid.values.slice(0, 4)], [1, 2, 3, 4]);
  assert.ok(grid.values.slice(4, 8).every(Number.isNaN));
  assert.equal(captureGrid([]), null);
});

test('every onset is found within one step of where the capture put it, across passes that drift', () => {
  const startAt = 1_700_000_000_123.4;
  const cap = capture(fixture(), startAt, 1234, 20_000, 0.6);
  const grid = captureGrid(cap.chunks);
  assert.ok(grid);
  const a = alignOnsets(FIX, grid, SEGMENTS, FILE_MS);
  assert.ok(a.coarseScore !== null && a.coarseScore > 0.9, `coarse score ${a.coarseScore}`);
  assert.equal(a.missed, 0);
  // Onsets whose ±300 ms template does not fit inside the capture cannot be judged.
  const judgeable = cap.truth.filter((t) => t - 300 >= startAt && t + 300 <= startAt + 20_000);
  assert.equal(a.onsets.length, judgeable.length);
  for (const o of a.onsets) {
    const nearest = Math.min(...cap.truth.map((t) => Math.abs(t - o.at)));
    assert.ok(nearest <= ENVELOPE_STEP_MS, `onset at ${o.at - startAt} ms is ${nearest} ms from the truth`);
  }
  // The padded period (4440 ms) is measured, not the file's length (4437 ms).
  assert.ok(a.loopPeriodMs !== null && Math.abs(a.loopPeriodMs - cap.periodMs) <= ENVELOPE_STEP_MS, `period ${a.loopPeriodMs}`);
});

test('a capture with holes loses only the onsets in the holes', () => {
  const cap = capture(fixture(), 5_000, 0, 15_000);
  // Drop 400 ms around the second onset of the first pass (2100 ms into the file).
  const chunks = cap.chunks.filter((c) => c.at < 5_000 + 1_900 || c.at > 5_000 + 2_300);
  const grid = captureGrid(chunks);
  assert.ok(grid);
  const a = alignOnsets(FIX, grid, SEGMENTS, FILE_MS);
  assert.ok(a.onsets.every((o) => Math.abs(o.at - (5_000 + 2_100)) > 50), 'an onset was "found" in a hole');
  assert.ok(a.onsets.length >= cap.truth.length - 3, `${a.onsets.length} of ${cap.truth.length}`);
});

test('a silent microphone aligns nothing', () => {
  const silent = capture(new Int16Array(fixture().length), 0, 0, 10_000);
  const grid = captureGrid(silent.chunks);
  assert.ok(grid);
  const a = alignOnsets(FIX, grid, SEGMENTS, FILE_MS);
  assert.deepEqual(a.onsets, []);
});

test('a microphone playing something else is not taken for the fixture', () => {
  const rnd = lcg(99);
  const other = new Int16Array(fixture().length);
  // Bursts at other places and of other lengths.
  for (const [from, to] of [[100, 900], [1500, 1700], [2600, 4100]] as const) {
    for (let i = (from * RATE) / 1000; i < (to * RATE) / 1000; i++) other[i] = Math.round(rnd() * 9000);
  }
  const grid = captureGrid(capture(other, 0, 0, 12_000).chunks);
  assert.ok(grid);
  const a = alignOnsets(FIX, grid, SEGMENTS, FILE_MS);
  assert.ok(a.onsets.length <= 1, `${a.onsets.length} onsets found in unrelated audio`);
});
