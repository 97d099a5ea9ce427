/**
 * Which ramp steps are steady enough to fit cost against sessions. A step's figures already leave
 * out `settleS` after its last join (results/steps.ts); here the first samples of what is left are
 * also dropped as warm-up, and what remains must be flat: little scatter, no drift in CPU, no
 * growth in memory. Steps where the generator broke or the host's CPU saturated are left out too:
 * the first measure nothing, the second cap the cost at the host's cores instead of the sessions'.
 */
import { mean } from '../results/stats.js';
import type { StepSummary } from '../results/types.js';
import { ar1Correction, lag1Rho } from './autocorr.js';
import { tCritical } from './fit.js';
import type { StepJudgement, StepVerdict } from './types.js';

/** The steadiness rule's numbers, in one place. */
export const STEADINESS = {
  /** Samples dropped at the start of each step's settled part (model loading, JIT, first frames). */
  warmupSamples: 2,
  /** Samples a step must keep after the warm-up. */
  minSamples: 5,
  /** Agents' CPU: sample standard deviation over mean at most this ... */
  maxCv: 0.15,
  /** ... or at most this many cores, for near-idle steps where a ratio means little. */
  cpuFloorCores: 0.05,
  /** Agents' CPU: a significant least-squares trend may move it across the step by at most this share of its mean ... */
  maxCpuDrift: 0.1,
  /** Agents' memory (PSS, else RSS): the same, for a significant trend in memory. */
  maxMemDrift: 0.1,
  /** A trend counts when its slope differs from 0 at this confidence (two-sided Student t): noise is not drift. */
  trendConfidence: 0.95,
} as const;

const S = STEADINESS;

/** The rule in words, for the reports. */
export const STEADINESS_RULE =
  `A step is used for the fit when, after its settle time and the first ${S.warmupSamples} samples of warm-up, ` +
  `it keeps at least ${S.minSamples} one-second samples; the agents' CPU has a coefficient of variation ` +
  `≤ ${S.maxCv * 100} % (or a standard deviation ≤ ${S.cpuFloorCores} cores); neither the agents' CPU nor their memory ` +
  `has a least-squares trend over time that is significant (slope ≠ 0 at ${S.trendConfidence * 100} %, Student t, widened for the samples' lag-1 autocorrelation) and moves it ` +
  `by more than ${S.maxCpuDrift * 100} % (CPU; or ${S.cpuFloorCores} cores) / ${S.maxMemDrift * 100} % (memory) of its mean across the step; ` +
  'at least one session was active; the load generator kept real time; ' +
  'CPU and memory are judged apart, each for its own fit; ' +
  'and the host was not saturated (system CPU below 90 % of its cores).';

/** A step's series with the warm-up dropped. */
export function settled(xs: readonly number[]): number[] {
  return xs.slice(S.warmupSamples);
}

function sd(xs: readonly number[]): number {
  const m = mean(xs) as number;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * The series' least-squares trend against sample index: the change it makes across the series
 * (|slope| × (n − 1)), and whether the slope differs from 0 at `trendConfidence` (|slope| > t · se).
 * One-second samples are not independent (CPU has slow waves in it, the speech loops, PSS is read
 * every few seconds), so se and t carry the AR(1) correction for the residuals' lag-1
 * autocorrelation (autocorr.ts): without it a wave read as a significant drift.
 */
export function trend(xs: readonly number[]): { drift: number; significant: boolean; rho: number } {
  const n = xs.length;
  if (n < 3) return { drift: 0, significant: false, rho: 0 };
  const iBar = (n - 1) / 2;
  const m = mean(xs) as number;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (i - iBar) * (x - m);
    sxx += (i - iBar) ** 2;
  });
  const slope = sxy / sxx;
  const residuals = xs.map((x, i) => x - m - slope * (i - iBar));
  const sse = residuals.reduce((a, e) => a + e * e, 0);
  const rho = lag1Rho(residuals);
  const c = ar1Correction(n, rho);
  const se = Math.sqrt(sse / (n - 2) / sxx) * c.seScale;
  return { drift: Math.abs(slope) * (n - 1), significant: Math.abs(slope) > tCritical(S.trendConfidence, c.df) * se, rho };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

/** The agents' memory series of a step: PSS where the platform has it, else RSS. */
export function memorySeries(step: StepSummary): { kind: 'PSS' | 'RSS'; values: number[] } {
  const a = step.series.agents;
  return a.pssBytes ? { kind: 'PSS', values: a.pssBytes } : { kind: 'RSS', values: a.rssBytes };
}

function driftWords(t: { drift: number; significant: boolean; rho: number }, m: number): string {
  return `trend ${pct(m > 0 ? t.drift / m : 0)}${t.significant ? '' : ' (not significant)'}${t.rho > 0 ? ` ρ=${t.rho.toFixed(2)}` : ''}`;
}

/** Why a step's agents' CPU is not flat enough for the CPU fit; null when it is. */
function cpuFlatness(cpu: number[]): string | null {
  const m = mean(cpu) as number;
  const spread = sd(cpu);
  const cv = m > 0 ? spread / m : 0;
  if (cv > S.maxCv && spread > S.cpuFloorCores) return `agents' CPU varies too much: cv ${pct(cv)} > ${S.maxCv * 100} %`;
  const t = trend(cpu);
  if (t.significant && t.drift > S.maxCpuDrift * m && t.drift > S.cpuFloorCores) {
    return `agents' CPU drifts ${pct(t.drift / m)} across the step > ${S.maxCpuDrift * 100} %`;
  }
  return null;
}

/** Why a step's agents' memory is not flat enough for the memory fit; null when it is. */
function memFlatness(mem: number[], memKind: string): string | null {
  const mm = mean(mem) as number;
  const tm = trend(mem);
  if (tm.significant && mm > 0 && tm.drift > S.maxMemDrift * mm) {
    return `agents' ${memKind} drifts ${pct(tm.drift / mm)} across the step > ${S.maxMemDrift * 100} %`;
  }
  return null;
}

/**
 * Whether `step` is used for the fits, and why; `quality` is its judgement (capacity/quality.ts).
 * CPU and memory are judged apart: a step whose memory still grows (a new agent filling its
 * buffers) can be a fine point for the CPU line, and the other way round.
 */
export function judgeSteadiness(step: StepSummary, quality: StepJudgement): StepVerdict {
  const base = { index: step.index, sessions: step.sessions, quality };
  const no = (reason: string): StepVerdict => ({ ...base, steady: false, memorySteady: false, reason });
  if (quality.invalid) return no(quality.invalidWhy.join('; '));
  if (step.sessions < 1) return no('no session was active through the step');
  if (quality.saturated) return no('the host CPU was saturated: cost is capped by the host, not set by the sessions');
  const cpu = settled(step.series.agents.cpuCores);
  const mem = memorySeries(step);
  if (cpu.length < S.minSamples) return no(`only ${cpu.length} samples after warm-up (< ${S.minSamples})`);
  const memVals = settled(mem.values);
  const cpuWhy = cpuFlatness(cpu);
  const memWhy = memFlatness(memVals, mem.kind);
  const m = mean(cpu) as number;
  const cpuWords = cpuWhy ?? `CPU cv ${pct(m > 0 ? sd(cpu) / m : 0)}, ${driftWords(trend(cpu), m)}`;
  const memWords = memWhy ?? `${mem.kind} ${driftWords(trend(memVals), mean(memVals) as number)}`;
  const only = cpuWhy === null && memWhy !== null ? 'CPU fit only: ' : cpuWhy !== null && memWhy === null ? 'memory fit only: ' : '';
  return { ...base, steady: cpuWhy === null, memorySteady: memWhy === null, reason: `${only}${cpu.length} samples; ${cpuWords}; ${memWords}` };
}
