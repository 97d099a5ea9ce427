import { max, spread } from '../../results/stats.js';
import type { DrainSummary, FailoverSummary, GraceSummary } from '../../results/workers.js';
import type { WorkersInput } from './types.js';

function drilled(input: WorkersInput, kind: 'rollout' | 'failover') {
  return input.workers.find((w) => w.drill?.kind === kind) ?? null;
}

export function drainSummary(input: WorkersInput, t0: number): DrainSummary | null {
  const w = drilled(input, 'rollout');
  if (!w?.drill) return null;
  const at = w.drill.at;
  const running = input.sessions.filter((s) => w.drill!.sessionsRunning.includes(s.session));
  const exitAt = w.exit?.at ?? Infinity;
  const completed = running.filter((s) => s.endReason === 'user left' && s.endedAt !== null && s.endedAt <= exitAt).length;
  const lastEnd = max(running.flatMap((s) => (s.endedAt === null ? [] : [s.endedAt - at])));
  const drainS = w.exit ? (w.exit.at - at) / 1000 : null;
  return {
    worker: w.index,
    atS: (at - t0) / 1000,
    sessionsRunning: running.length,
    completed,
    cut: running.length - completed,
    newJobsAfter: input.sessions.filter((s) => s.worker === w.index && s.jobAt !== null && s.jobAt > at).length,
    drainS,
    exit: w.exit ? { code: w.exit.code, signal: w.exit.signal } : null,
    lastSessionEndS: lastEnd === null ? null : lastEnd / 1000,
    overheadS: drainS !== null && lastEnd !== null ? drainS - lastEnd / 1000 : null,
  };
}

export function failoverSummary(input: WorkersInput, t0: number): FailoverSummary | null {
  const w = drilled(input, 'failover');
  if (!w?.drill) return null;
  const at = w.drill.at;
  const lost = input.sessions.filter((s) => s.lost);
  const re = lost.filter((s) => s.redispatch !== null);
  const after = input.sessions.filter((s) => s.dispatchAt !== null && s.dispatchAt > at);
  return {
    worker: w.index,
    atS: (at - t0) / 1000,
    lost: lost.length,
    redispatched: re.length,
    redispatchToAgentMs: spread(re.flatMap((s) => (s.redispatch!.joinedAt === null ? [] : [s.redispatch!.joinedAt - at]))),
    redispatchUnanswered: re.filter((s) => s.redispatch!.joinedAt === null).length,
    newRoomsAfter: after.length,
    newRoomsOnKilled: after.filter((s) => s.worker === w.index).length,
    survivors: w.survivors.length,
  };
}

export function graceSummary(input: WorkersInput, t0: number): GraceSummary {
  // Only sessions that ended because their user hung up: the run's own end cuts the others short.
  const lengths = input.sessions.flatMap((s) => (s.joinedAt !== null && s.endedAt !== null && s.userLeftAt !== null && !s.lost ? [(s.endedAt - s.joinedAt) / 1000] : []));
  const longest = max(lengths);
  const drain = drainSummary(input, t0);
  const overhead = drain?.overheadS ?? null;
  if (longest === null) {
    return { recommendedS: null, longestSessionS: null, drainOverheadS: overhead, basis: 'no session was hung up during the run, so no session length was measured (set sessionLength)', kind: 'extrapolated' };
  }
  const recommendedS = Math.ceil(longest + Math.max(0, overhead ?? 0));
  const basis = overhead === null
    ? `extrapolated from the longest measured session (${longest.toFixed(1)} s): a worker told to stop mid-session must outlive it; drain overhead not measured here (run the rollout scenario)`
    : `extrapolated: longest measured session (${longest.toFixed(1)} s) + measured drain overhead (${overhead.toFixed(1)} s: SIGINT-to-exit minus SIGINT-to-last-session-end); use your own longest expected session in its place`;
  return { recommendedS, longestSessionS: longest, drainOverheadS: overhead, basis, kind: 'extrapolated' };
}
