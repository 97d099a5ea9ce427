/**
 * Splits a run into its ramp steps and measures each one over its settled part, so the capacity
 * model can fit cost against sessions and find where quality broke. Pure, like aggregate.ts.
 */
import { rampPlan } from '../common/ramp.js';
import { ROLES, type Role, type Sample } from '../sampling/types.js';
import { LatencyHistogram } from './histogram.js';
import { expectedOnsets, matchOnsets, onsetLagPercentiles } from './onsets.js';
import type { HistogramData, QosMark, RunInput, SessionRecord, StepQos, StepSummary } from './types.js';

/** What step summaries need of a run: the runner also asks mid-run, to stop a ramp at its knee. */
export type StepInput = Pick<RunInput, 'startedAt' | 'endedAt' | 'requestedSessions' | 'ramp' | 'sessions' | 'marks' | 'segments' | 'holdToMs'>;

/** Epoch ms at which both sides of a session were in the room, null if they never were. */
export function joinedAt(s: SessionRecord): number | null {
  return s.agentJoinedAt !== null && s.userJoinedAt !== null ? Math.max(s.agentJoinedAt, s.userJoinedAt) : null;
}

/** The last mark at or before `ms` (elapsed), or the first one when none is that early. */
function markAt(marks: readonly QosMark[], ms: number, side: 'before' | 'after'): QosMark | null {
  if (side === 'before') {
    let found: QosMark | null = null;
    for (const m of marks) if (m.elapsedMs <= ms) found = m;
    return found;
  }
  return marks.find((m) => m.elapsedMs >= ms) ?? null;
}

/**
 * p99 of what was recorded between two cumulative snapshots, merged over several sources. A
 * histogram that does not fit the others is left out here; the run-level summary reports it.
 */
function p99Between(pairs: { from: HistogramData | null; to: HistogramData | null }[]): number | null {
  const merged = LatencyHistogram.mergeSince(pairs.map((p) => ({ latest: p.to, baseline: p.from })));
  return merged === null || merged.count === 0 ? null : merged.percentile(99);
}

/** A step with no settled sample measured nothing: counts 0, figures null. */
function noQos(): StepQos {
  return {
    segmentsExpected: 0, segmentsDetected: 0, onsetLagMs: onsetLagPercentiles([], 0), framesExpected: 0, framesReceived: 0, gapsOver100ms: 0,
    publishLateMsP99: null, agentPublishLateMsP99: null, agentLoopDelayMsP99: null, generatorLoopDelayMsP99: null,
  };
}

function stepQos(input: StepInput, fromMs: number, toMs: number): StepQos {
  const first = markAt(input.marks, fromMs, 'after');
  const last = markAt(input.marks, toMs, 'before');
  const usable = first !== null && last !== null && last.elapsedMs > first.elapsedMs;
  const ids = usable ? Object.keys(last.sessions).map(Number) : [];
  const at = (m: QosMark, i: number) => m.sessions[i] ?? null;
  const pair = (f: 'publishLate' | 'agentPublishLate' | 'agentLoopDelay') =>
    ids.map((i) => ({ from: at(first as QosMark, i)?.[f] ?? null, to: at(last as QosMark, i)?.[f] ?? null }));
  const delta = (f: 'framesExpected' | 'framesReceived' | 'gapsOver100ms') =>
    ids.reduce((acc, i) => acc + Math.max(0, (at(last as QosMark, i)?.[f] ?? 0) - (at(first as QosMark, i)?.[f] ?? 0)), 0);
  let expected = 0;
  const lags: number[] = [];
  const fromEpoch = input.startedAt + fromMs;
  const toEpoch = input.startedAt + toMs;
  for (const s of input.sessions) {
    if (joinedAt(s) === null) continue;
    const onsets = expectedOnsets(s, input.segments, Math.min(input.endedAt, toEpoch), fromEpoch).filter((o) => o <= toEpoch);
    expected += onsets.length;
    lags.push(...matchOnsets(onsets, s.vadStarts));
  }
  return {
    segmentsExpected: expected,
    segmentsDetected: lags.length,
    onsetLagMs: onsetLagPercentiles(lags, expected),
    framesExpected: delta('framesExpected'),
    framesReceived: delta('framesReceived'),
    gapsOver100ms: delta('gapsOver100ms'),
    publishLateMsP99: usable ? p99Between(pair('publishLate')) : null,
    agentPublishLateMsP99: usable ? p99Between(pair('agentPublishLate')) : null,
    agentLoopDelayMsP99: usable ? p99Between(pair('agentLoopDelay')) : null,
    generatorLoopDelayMsP99: usable
      ? p99Between(last.generators.map((to, g) => ({ from: (first as QosMark).generators[g] ?? null, to })))
      : null,
  };
}

function series(samples: readonly Sample[]): StepSummary['series'] {
  const out = {} as StepSummary['series'];
  for (const role of ROLES as readonly Role[]) {
    const rs = samples.map((s) => s.roles[role]);
    const pss = rs.map((r) => r.pssBytes);
    out[role] = {
      cpuCores: rs.map((r) => r.cpuCores),
      pssBytes: pss.every((p): p is number => p !== null) ? pss : null,
      rssBytes: rs.map((r) => r.rssBytes),
    };
  }
  return out;
}

/**
 * One summary per scheduled step. Step k starts at k × every and ends where step k + 1 starts;
 * the last step runs to the end of the run. Its settled part begins `settle` after the last of its
 * sessions joined (or after the step began, when none of them joined).
 */
export function summariseSteps(input: StepInput, samples: readonly Sample[]): StepSummary[] {
  const { step, everyS, settleS } = input.ramp;
  // The run ends, for its steps, when the first session stopped: teardown is no step's.
  const runS = Math.min(input.endedAt - input.startedAt, input.holdToMs ?? Infinity) / 1000;
  const plan = rampPlan({ sessions: input.requestedSessions, step, everyS });
  const steps: StepSummary[] = [];
  for (const { index: k, from, to: targetSessions, atS: startS } of plan) {
    if (startS >= runS) break;
    const endS = k === plan.length - 1 ? runS : Math.min(runS, (k + 1) * everyS);
    const joins = input.sessions
      .filter((s) => s.index >= from && s.index < targetSessions)
      .map(joinedAt)
      .filter((t): t is number => t !== null)
      .map((t) => (t - input.startedAt) / 1000);
    const settledFrom = Math.max(startS, ...joins) + settleS;
    const used = samples.filter((s) => s.elapsedMs / 1000 >= settledFrom && s.elapsedMs / 1000 <= endS);
    const firstUsed = used[0];
    const lastUsed = used[used.length - 1];
    const fromS = firstUsed ? firstUsed.elapsedMs / 1000 : null;
    const toS = lastUsed ? lastUsed.elapsedMs / 1000 : null;
    steps.push({
      index: k,
      targetSessions,
      sessions: used.length ? Math.min(...used.map((s) => s.activeSessions)) : 0,
      startS,
      endS,
      fromS,
      toS,
      series: series(used),
      systemCpuCores: used.map((s) => s.system.cpuCores),
      qos: fromS !== null && toS !== null ? stepQos(input, fromS * 1000, toS * 1000) : noQos(),
    });
  }
  return steps;
}
