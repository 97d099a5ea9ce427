/**
 * Sessions per worker and the load_threshold. A worker carries at most the sessions whose fitted
 * CPU stays at or under load_threshold × the target's cores (the load LiveKit's default load_fnc
 * reports), whose fitted memory stays under the memory budget, and that stay below the knee.
 * When something other than CPU binds first, the threshold itself must come down, because the
 * worker's only brake is its CPU load.
 */
import type { BasisKind } from '../../results/types.js';
import { maxSessionsUnder, maxSessionsUnderBand, predict } from '../fit.js';
import { cores, count, gib, percent } from '../format.js';
import type { Recommendation } from '../types.js';
import type { SessionsAnswer, SizingContext } from './context.js';

/**
 * Share of the target's memory the agents may fill: the rest is left to the OS, the kubelet and
 * system reservations (a 4c8g node typically has ~7.2 GiB allocatable) and to page cache.
 */
export const MEMORY_BUDGET_SHARE = 0.8;

function minKnown(xs: (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : Math.min(...known);
}

function fittedRange(ctx: SizingContext, n: number): string {
  if (ctx.cpu === null) return 'n/a';
  const limit = ctx.inputs.loadThreshold * ctx.view.target.cores;
  const lo = maxSessionsUnderBand(ctx.cpu, limit, 'upper');
  const hi = maxSessionsUnderBand(ctx.cpu, limit, 'lower');
  return lo === null || hi === null ? `n/a (no interval: ${ctx.cpu.points.length} point(s))` : `${lo}–${count(hi)} (point ${n})`;
}

/** The most sessions one target worker carries, and which limit binds. */
export function answerSessions(ctx: SizingContext): SessionsAnswer {
  const { cpu, mem, view, inputs } = ctx;
  const nCpu = cpu && maxSessionsUnder(cpu, inputs.loadThreshold * view.target.cores);
  const nMemory = mem && maxSessionsUnder(mem, MEMORY_BUDGET_SHARE * view.target.memoryBytes);
  const nKnee = ctx.kneeOnTarget.limit;
  const n = minKnown([nCpu, nMemory, nKnee]);
  if (nCpu === null || n === null || !Number.isFinite(n)) return { n: null, kind: 'fitted', binding: null, nCpu, nMemory, nKnee };
  const binding = n === nKnee ? 'knee' : n === nCpu ? 'cpu' : 'memory';
  const fit = binding === 'memory' ? mem : cpu;
  const most = Math.max(...(fit?.points ?? []).map((p) => p.sessions));
  let kind: BasisKind = n > most || fit?.method === 'proportional' ? 'extrapolated' : 'fitted';
  if (binding === 'knee') kind = ctx.kneeOnTarget.kind;
  return { n, kind, binding, nCpu, nMemory, nKnee };
}

function bindingWords(ctx: SizingContext, a: SessionsAnswer): string {
  const t = ctx.view.target;
  const others = `CPU allows ${count(a.nCpu ?? NaN)}, memory ${a.nMemory === null ? 'n/a' : count(a.nMemory)}, ` +
    `knee ${a.nKnee === null ? 'none on the target' : a.nKnee}`;
  switch (a.binding) {
    case 'cpu':
      return `CPU binds: the agents' fitted CPU reaches load_threshold ${ctx.inputs.loadThreshold} × ${t.cores} cores ` +
        `= ${cores(ctx.inputs.loadThreshold * t.cores)} cores after ${a.n} sessions (${others})`;
    case 'memory':
      return `memory binds before CPU: fitted ${ctx.memKind} reaches ${percent(MEMORY_BUDGET_SHARE)} of ${gib(t.memoryBytes)} ` +
        `after ${a.n} sessions (${others})`;
    case 'knee':
      return `quality binds: ${ctx.kneeOnTarget.note} (${others})`;
    default:
      return a.nCpu === null
        ? "no steady step to fit the agents' CPU: the load a worker reaches cannot be computed"
        : "the agents' fitted CPU does not grow with sessions: no bound can be derived (look at the steps)";
  }
}

/** The sessionsPerWorker recommendation. */
export function sessionsRec(ctx: SizingContext, a: SessionsAnswer): Recommendation {
  return {
    key: 'sessionsPerWorker',
    label: `Voice sessions per ${ctx.view.target.label} worker`,
    value: a.n ?? 'n/a',
    unit: 'sessions',
    kind: a.kind,
    why: `${bindingWords(ctx, a)}; ${ctx.hostTag}`,
    inputs: {
      loadThreshold: ctx.inputs.loadThreshold,
      targetCores: ctx.view.target.cores,
      targetMemory: gib(ctx.view.target.memoryBytes),
      memoryBudget: `${percent(MEMORY_BUDGET_SHARE)} of the target's memory`,
      cpuRange95: a.n === null ? 'n/a' : fittedRange(ctx, a.nCpu as number),
      knee: ctx.knee.sessions ?? 'none found',
    },
  };
}

/**
 * The load_threshold to run with: the one used when CPU binds first; otherwise the worker's load
 * at the answer, rounded down to 0.01, so the worker stops taking jobs where quality or memory
 * runs out (LiveKit's default load_fnc sees only CPU).
 */
export function thresholdFor(ctx: SizingContext, a: SessionsAnswer): { value: number; lowered: boolean } {
  const used = ctx.inputs.loadThreshold;
  if (a.n === null || ctx.cpu === null || a.binding === 'cpu' || a.n < 1) return { value: used, lowered: false };
  const load = predict(ctx.cpu, a.n) / ctx.view.target.cores;
  const value = Math.floor(load * 100 + 1e-9) / 100;
  return value < used && value > 0 ? { value, lowered: true } : { value: used, lowered: false };
}

/** The loadThreshold recommendation. */
export function thresholdRec(ctx: SizingContext, a: SessionsAnswer): Recommendation {
  const t = thresholdFor(ctx, a);
  const used = ctx.inputs.loadThreshold;
  const why = t.lowered
    ? `${a.binding === 'memory' ? 'memory' : 'quality'} runs out before CPU reaches ${used}: at ${a.n} sessions the fitted load is ` +
      `${t.value.toFixed(2)}, so with load_threshold ${t.value.toFixed(2)} the worker stops taking jobs there ` +
      '(or write a load_fnc that counts sessions)'
    : a.n === null
      ? `no fit: keep ${used} until a ramp measures this worker`
      : `CPU reaches ${used} before quality or memory break: keep it`;
  return {
    key: 'loadThreshold',
    label: 'load_threshold (WorkerOptions)',
    value: t.value,
    unit: null,
    kind: a.kind,
    why,
    inputs: { used, source: ctx.inputs.loadThresholdSource, binding: a.binding ?? 'n/a' },
    ...(a.n === null ? { source: 'inputs' as const } : {}),
  };
}
