/**
 * When did the probe's fake microphone say each sentence? Chromium plays the speech file in a loop
 * from the moment the page opens the microphone, at a moment the page does not choose, and may
 * pad each pass to its capture buffer size, so the loop's phase and period are not known in
 * advance. The page reports the energy of what it captured in 2.5 ms steps, stamped with Chrome's
 * capture timestamps (AudioData.timestamp, the page's performance clock); this module finds the
 * fixture's sentences in that envelope by correlation and turns its ground-truth onsets into
 * epoch times. Pure: no I/O, no clock.
 */
import type { Segment } from '../results/types.js';

/** The envelope's time step: fine enough for onset lags, coarse enough to send once a second. */
export const ENVELOPE_STEP_MS = 2.5;
/** dB floor: digital silence and resampler leakage below it read the same. */
const FLOOR_DB = -70;
/** Coarse search works on steps this many times longer. */
const COARSE = 4;
/** An onset is searched for this far either side of where the loop predicts it, in steps (100 ms). */
const SEARCH_STEPS = 40;
/** The template around an onset: this many steps either side (300 ms). */
const TEMPLATE_STEPS = 120;
/** Correlation a template must reach to count as found; a sentence's onset from silence scores above 0.95. */
const MIN_ONSET_SCORE = 0.9;
/** Correlation the coarse phase must reach: below it the microphone did not play the fixture. */
const MIN_COARSE_SCORE = 0.5;
/** Share of a window that must have been captured for its correlation to count. */
const MIN_COVERED = 0.8;

/** One chunk of captured microphone audio as the page reports it. */
export interface EnvelopeChunk {
  /** Epoch ms of the chunk's first sample (capture timestamp, page clock). */
  at: number;
  /** The chunk's duration, ms. */
  ms: number;
  /** Mean square (full scale 1) of equal consecutive parts of the chunk, each about ENVELOPE_STEP_MS. */
  e: number[];
}

/** The captured envelope on a regular grid: values[i] covers t0 + i·stepMs; NaN where nothing was captured. */
export interface CapturedGrid { t0: number; stepMs: number; values: Float64Array }

/** One ground-truth onset found in the capture. */
export interface AlignedOnset {
  /** Index into the segments. */
  segment: number;
  /** Pass of the loop, 0 being the one the coarse phase found. */
  loop: number;
  /** Epoch ms (page clock) at which the microphone captured the onset. */
  at: number;
  /** Correlation of the fixture around the onset with the capture there. */
  score: number;
}

/** The alignment and what it rests on. */
export interface Alignment {
  onsets: AlignedOnset[];
  stepMs: number;
  /** Correlation of the best loop phase over the first pass; null when too little was captured. */
  coarseScore: number | null;
  /** Onsets the loop predicted inside the capture that no template matched. */
  missed: number;
  /** Median interval between the same sentence in consecutive passes: the loop's measured period. */
  loopPeriodMs: number | null;
}

function toDb(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(x)) : FLOOR_DB;
}

/**
 * One captured chunk's energy in parts of about one step each (the page calls this on every chunk
 * the microphone delivers, so the page and the tests compute it the same way).
 */
export function chunkEnergies(samples: Float32Array, sampleRate: number, stepMs = ENVELOPE_STEP_MS): { ms: number; e: number[] } {
  const frames = samples.length;
  const ms = (frames / sampleRate) * 1000;
  const parts = Math.max(1, Math.round(ms / stepMs));
  const e: number[] = [];
  for (let p = 0; p < parts; p++) {
    const from = Math.floor((p * frames) / parts);
    const to = Math.floor(((p + 1) * frames) / parts);
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
    e.push(to > from ? sum / (to - from) : 0);
  }
  return { ms, e };
}

/** Mean square per step of a mono 16-bit signal (the fixture), in the page's units (full scale 1). */
export function fixtureEnvelope(samples: Int16Array, sampleRate: number, stepMs = ENVELOPE_STEP_MS): Float64Array {
  const per = Math.max(1, Math.round((sampleRate * stepMs) / 1000));
  const out = new Float64Array(Math.ceil(samples.length / per));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    const end = Math.min(samples.length, (i + 1) * per);
    for (let j = i * per; j < end; j++) sum += (samples[j]! / 32768) ** 2;
    out[i] = sum / per;
  }
  return out;
}

/** Places the page's chunks on a regular grid (later chunks win where two overlap). */
export function captureGrid(chunks: readonly EnvelopeChunk[], stepMs = ENVELOPE_STEP_MS): CapturedGrid | null {
  const sorted = [...chunks].filter((c) => c.e.length > 0 && c.ms > 0).sort((a, b) => a.at - b.at);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) return null;
  const t0 = first.at;
  const values = new Float64Array(Math.max(1, Math.round((last.at + last.ms - t0) / stepMs))).fill(NaN);
  for (const c of sorted) {
    const part = c.ms / c.e.length;
    c.e.forEach((e, i) => {
      const idx = Math.round((c.at + i * part - t0) / stepMs);
      if (idx >= 0 && idx < values.length) values[idx] = e;
    });
  }
  return { t0, stepMs, values };
}

/** Pearson correlation of a[i] with b(i) over the indices where both are known; null if too few are. */
function correlate(n: number, a: (i: number) => number, b: (i: number) => number): number | null {
  let k = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < n; i++) {
    const x = a(i);
    const y = b(i);
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    k++; sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  if (k < MIN_COVERED * n || k < 2) return null;
  const va = saa - (sa * sa) / k;
  const vb = sbb - (sb * sb) / k;
  if (va <= 0 || vb <= 0) return null;
  return (sab - (sa * sb) / k) / Math.sqrt(va * vb);
}

/** Averages consecutive groups of `by` values, skipping NaN (all NaN gives NaN). */
function decimate(x: Float64Array, by: number): Float64Array {
  const out = new Float64Array(Math.ceil(x.length / by));
  for (let i = 0; i < out.length; i++) {
    let s = 0, k = 0;
    for (let j = i * by; j < Math.min(x.length, (i + 1) * by); j++) if (!Number.isNaN(x[j]!)) { s += x[j]!; k++; }
    out[i] = k ? s / k : NaN;
  }
  return out;
}

/** The capture index where fixture step 0 of some pass lies, to ±COARSE steps, and its score. */
function coarsePhase(fix: Float64Array, cap: Float64Array): { phase: number; score: number } | null {
  const f = decimate(fix, COARSE);
  const c = decimate(cap, COARSE);
  const n = Math.min(c.length, f.length);
  if (n < f.length / 4) return null;
  let best: { phase: number; score: number } | null = null;
  for (let p = 0; p < f.length; p++) {
    const score = correlate(n, (i) => c[i]!, (i) => f[(((i - p) % f.length) + f.length) % f.length]!);
    if (score !== null && (!best || score > best.score)) best = { phase: p * COARSE, score };
  }
  return best;
}

/** The best match of the fixture around `onsetStep` near capture index `q`: index and score. */
function refine(fix: Float64Array, cap: Float64Array, onsetStep: number, q: number): { at: number; score: number } | null {
  let best: { at: number; score: number } | null = null;
  const n = 2 * TEMPLATE_STEPS + 1;
  for (let r = q - SEARCH_STEPS; r <= q + SEARCH_STEPS; r++) {
    if (r - TEMPLATE_STEPS < 0 || r + TEMPLATE_STEPS >= cap.length) continue;
    const score = correlate(n, (i) => cap[r - TEMPLATE_STEPS + i]!, (i) => fix[(((onsetStep - TEMPLATE_STEPS + i) % fix.length) + fix.length) % fix.length]!);
    if (score !== null && (!best || score > best.score)) best = { at: r, score };
  }
  return best;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Finds each ground-truth onset of the looping fixture in the capture. The coarse phase comes
 * from correlating the first pass with the whole fixture; each onset is then matched on its own
 * (±300 ms of fixture around it, searched ±100 ms around the prediction), and the prediction for
 * the next one follows the last match, so a loop period that differs from the file's length
 * (Chromium pads the last buffer of each pass) does not accumulate. Resolution: one step.
 */
export function alignOnsets(fixture: Float64Array, grid: CapturedGrid, segments: readonly Segment[], loopMs: number): Alignment {
  const { stepMs } = grid;
  const empty: Alignment = { onsets: [], stepMs, coarseScore: null, missed: 0, loopPeriodMs: null };
  const fix = Float64Array.from(fixture, toDb);
  const cap = Float64Array.from(grid.values, toDb);
  const coarse = coarsePhase(fix, cap);
  if (!coarse) return empty;
  if (coarse.score < MIN_COARSE_SCORE || segments.length === 0) return { ...empty, coarseScore: coarse.score };
  const loopSteps = loopMs / stepMs;
  const onsets: AlignedOnset[] = [];
  let missed = 0;
  // Capture index of fixture step 0 of pass 0; updated from every match.
  let origin = coarse.phase;
  for (let loop = -1; origin + loop * loopSteps < cap.length; loop++) {
    segments.forEach((seg, segment) => {
      const onsetStep = seg.startMs / stepMs;
      const q = Math.round(origin + loop * loopSteps + onsetStep);
      if (q - TEMPLATE_STEPS < 0 || q + TEMPLATE_STEPS >= cap.length) return;
      const m = refine(fix, cap, Math.round(onsetStep), q);
      if (!m || m.score < MIN_ONSET_SCORE) {
        missed++;
        return;
      }
      const exact = m.at + (onsetStep - Math.round(onsetStep));
      origin = exact - loop * loopSteps - onsetStep;
      onsets.push({ segment, loop, at: grid.t0 + exact * stepMs, score: m.score });
    });
  }
  const periods: number[] = [];
  for (const o of onsets) {
    const next = onsets.find((p) => p.segment === o.segment && p.loop === o.loop + 1);
    if (next) periods.push(next.at - o.at);
  }
  return { onsets, stepMs, coarseScore: coarse.score, missed, loopPeriodMs: median(periods) };
}
