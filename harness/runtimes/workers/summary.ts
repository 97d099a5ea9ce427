import { mean, spread } from '../../results/stats.js';
import { pssBasisWords } from '../../results/pss-basis.js';
import type { HealthSummary, LoadTruth, WorkerSummary, WorkersResult } from '../../results/workers.js';
import type { HealthProbe } from './health.js';
import { PRODUCTION_POOL_WARNING } from './pool-warning.js';
import type { UsagePart, WorkerRecord, WorkerSession, WorkersInput, WorkerUsage } from './types.js';
import { soakPoints } from './soak-summary.js';
import { drainSummary, failoverSummary, graceSummary } from './drill-summary.js';

function healthSummary(probes: HealthProbe[]): HealthSummary {
  const messages = new Map<string, number>();
  for (const p of probes) if (p.status !== 200) messages.set(p.message, (messages.get(p.message) ?? 0) + 1);
  return {
    probes: probes.length,
    ok: probes.filter((p) => p.status === 200).length,
    notOk: probes.filter((p) => p.status !== null && p.status !== 200).length,
    unreachable: probes.filter((p) => p.status === null).length,
    latencyMs: spread(probes.flatMap((p) => (p.latencyMs === null ? [] : [p.latencyMs]))),
    messages: [...messages].map(([message, count]) => ({ message, count })),
  };
}

const total = (u: WorkerUsage): number => u.main.cpuCores + u.inference.cpuCores + u.busy.cpuCores + u.idle.cpuCores + u.other.cpuCores;

/** The sample (or host reading) nearest `at`, if within `withinMs`. */
function nearest<T extends { at: number }>(xs: readonly T[], at: number, withinMs = 1500): T | null {
  let best: T | null = null;
  for (const x of xs) if (Math.abs(x.at - at) <= withinMs && (!best || Math.abs(x.at - at) < Math.abs(best.at - at))) best = x;
  return best;
}

function loadTruth(w: WorkerRecord, hostCpu: { at: number; cores: number }[], hostCores: number): LoadTruth | null {
  if (!w.loads.length) return null;
  // The first sample of a tree has no interval behind it; skip it.
  const usage = w.usage.slice(1);
  const pairs = w.loads.flatMap((l) => {
    const u = nearest(usage, l.at);
    const h = nearest(hostCpu, l.at);
    return u ? [{ reported: l.load, tree: total(u) / hostCores, host: h ? h.cores / hostCores : null }] : [];
  });
  return {
    pairs: pairs.length,
    reported: mean(w.loads.map((l) => l.load)),
    treeShare: mean(pairs.map((p) => p.tree)),
    hostShare: mean(pairs.flatMap((p) => (p.host === null ? [] : [p.host]))),
  };
}

/**
 * Mean of a per-sample figure over the samples that have it. PSS is unreadable for a moment while
 * a process is being exec'd (a job process starting), so one such sample must not void the mean.
 */
const meanOf = (xs: UsagePart[], f: (p: UsagePart) => number | null): number | null => mean(xs.flatMap((p) => { const v = f(p); return v === null ? [] : [v]; }));

/**
 * The worker's own load at the moment of an offer. For jobs:N it counts the jobs it had already
 * accepted and not yet finished (a job just accepted is still launching, so the framework's own
 * activeJobs lags in a burst); for cpu it is the last value the worker measured.
 */
export function loadAtOffer(loadFunc: string, w: WorkerRecord, r: WorkerRecord['requests'][number], sessions: WorkerSession[]): number | null {
  const m = /^jobs:(\d+)$/.exec(loadFunc);
  if (!m) return r.load;
  const open = (i: number) => {
    const s = sessions.find((x) => x.session === i);
    return s !== undefined && !s.lost && (s.endedAt === null || s.endedAt > r.at);
  };
  const committed = w.requests.filter((q) => q.accepted && q.at < r.at && open(q.session)).length;
  return Math.max(committed, r.activeJobs ?? 0) / Number(m[1]);
}

function workerSummary(w: WorkerRecord, sessions: WorkerSession[], input: WorkersInput, hostCpu: { at: number; cores: number }[], t0: number): WorkerSummary {
  const u = w.usage.slice(1);
  const threshold = input.pool.loadThreshold;
  return {
    index: w.index,
    readyS: w.readyAt === null ? null : (w.readyAt - w.startedAt) / 1000,
    registeredS: w.registeredAt === null ? null : (w.registeredAt - w.startedAt) / 1000,
    exit: w.exit ? { code: w.exit.code, signal: w.exit.signal, atS: (w.exit.at - t0) / 1000 } : null,
    jobs: sessions.filter((s) => s.worker === w.index).length + sessions.filter((s) => s.redispatch?.worker === w.index).length,
    requests: w.requests.length,
    accepted: w.requests.filter((r) => r.accepted).length,
    admittedWhileReportedFull: w.requests.filter((r) => r.accepted && r.load !== null && r.load >= threshold).length,
    admittedOverThreshold: w.requests.filter((r) => r.accepted && (loadAtOffer(input.pool.loadFunc, w, r, sessions) ?? -Infinity) >= threshold).length,
    load: loadTruth(w, hostCpu, input.hostCores),
    health: healthSummary(w.health),
    fixed: {
      mainCpu: mean(u.map((x) => x.main.cpuCores)),
      mainPss: meanOf(u.map((x) => x.main), (p) => p.pssBytes),
      inferenceCpu: mean(u.map((x) => x.inference.cpuCores)),
      inferencePss: meanOf(u.map((x) => x.inference), (p) => p.pssBytes),
      idleProcesses: mean(u.map((x) => x.idle.processes)),
      idlePss: meanOf(u.map((x) => x.idle), (p) => p.pssBytes),
    },
    survivors: w.survivors.length,
    logErrors: w.logErrors,
  };
}

function perJob(input: WorkersInput): WorkersResult['perJob'] {
  const busy = input.workers.flatMap((w) => w.usage.slice(1)).filter((u) => u.busy.processes > 0).map((u) => u.busy);
  const per = (f: (p: UsagePart) => number | null) => meanOf(busy, (p) => { const v = f(p); return v === null ? null : v / p.processes; });
  return {
    cpuCores: per((p) => p.cpuCores),
    pssBytes: per((p) => p.pssBytes),
    basis: busy.length
      ? `measured: each sample's job processes running one of our jobs (with their children), divided by how many there were, averaged over ${busy.length} worker samples with a job running` +
        pssBasisWords(busy, "the running jobs'")
      : input.runtime === 'byo' ? 'not measured: this byo worker did not report its jobs (add the reporter of docs/report-protocol.md)' : 'not measured: no sample saw a running job',
  };
}

function fixedPerWorker(input: WorkersInput): WorkersResult['fixedPerWorker'] {
  const rows = input.workers.flatMap((w) => w.usage.slice(1));
  const parts = (u: WorkerUsage) => [u.main, u.inference, u.idle, u.other];
  const pss = rows.flatMap((u) => {
    const v = parts(u).reduce<number | null>((a, p) => (a === null || p.pssBytes === null ? null : a + p.pssBytes), 0);
    return v === null ? [] : [v];
  });
  return {
    cpuCores: mean(rows.map((u) => parts(u).reduce((a, p) => a + p.cpuCores, 0))),
    pssBytes: mean(pss),
    basis: `measured: per worker and sample, its own process + its inference process + warm idle job processes (+ anything else under it), averaged over ${rows.length} samples of ${input.workers.length} worker(s)` +
      pssBasisWords(rows.flatMap(parts), "the workers' fixed"),
  };
}

/** Jobs running on worker w at time t: from its job reports (framework), or what its /worker said (byo). */
function jobsAt(input: WorkersInput, w: WorkerRecord, t: number): number {
  if (input.runtime === 'byo') return nearest(w.health, t, 1000)?.activeJobs ?? 0;
  return input.sessions.filter((s) => s.worker === w.index && s.jobAt !== null && s.jobAt <= t && (s.endedAt ?? Infinity) > t && !(s.lost && w.drill && w.drill.at <= t)).length;
}

function jobsOverTime(input: WorkersInput, t0: number, endAt: number, everyS: number): WorkersResult['jobsOverTime'] {
  const rows: WorkersResult['jobsOverTime']['rows'] = [];
  for (let t = t0; t <= endAt; t += everyS * 1000) {
    const perWorker = input.workers.map((w) => jobsAt(input, w, t));
    rows.push({ tS: Math.round((t - t0) / 1000), perWorker });
  }
  return { everyS, rows };
}

function dispatchSummary(sessions: WorkerSession[], boundS: number): WorkersResult['dispatch'] {
  const sent = sessions.filter((s) => s.dispatchAt !== null);
  const at = sent.map((s) => s.dispatchAt!);
  const retried = sent.filter((s) => s.retries.length > 0);
  return {
    placement: {
      boundS,
      redispatchedRooms: retried.length,
      redispatches: retried.reduce((n, s) => n + s.retries.length, 0),
      toAgentMs: spread(retried.flatMap((s) => (s.joinedAt === null ? [] : [s.joinedAt - s.dispatchAt!]))),
      neverPlaced: retried.filter((s) => s.joinedAt === null).length,
    },
    dispatched: sent.length,
    failed: sessions.filter((s) => s.dispatchError !== null).length,
    toJobMs: spread(sent.flatMap((s) => (s.jobAt === null ? [] : [s.jobAt - s.dispatchAt!]))),
    toAgentInRoomMs: spread(sent.flatMap((s) => (s.joinedAt === null ? [] : [s.joinedAt - s.dispatchAt!]))),
    firstToLastS: at.length ? (Math.max(...at) - Math.min(...at)) / 1000 : null,
  };
}

function routingSummary(input: WorkersInput): WorkersResult['routing'] {
  const offers = input.workers.flatMap((w) => w.requests.map((r) => ({ ...r, worker: w.index })));
  const refused = offers.filter((o) => !o.accepted && o.session >= 0);
  const bySession = new Map<number, typeof offers>();
  for (const o of offers) bySession.set(o.session, [...(bySession.get(o.session) ?? []), o]);
  const times: number[] = [];
  let unplaced = 0;
  for (const session of new Set(refused.map((o) => o.session))) {
    const list = bySession.get(session)!;
    const first = Math.min(...list.filter((o) => !o.accepted).map((o) => o.at));
    const taken = list.find((o) => o.accepted && o.at >= first);
    if (taken) times.push(taken.at - first);
    else unplaced++;
  }
  return { refusedOffers: refused.length, reroutedSessions: times.length, rerouteMs: spread(times), unplaced };
}

/**
 * Folds the worker side of a run into its summary. Pure: `t0` and `endAt` are the run's start and
 * end (epoch ms), `hostCpu` the run sampler's whole-host CPU readings.
 */
export function summarizeWorkers(input: WorkersInput, t0: number, endAt: number, hostCpu: { at: number; cores: number }[]): WorkersResult {
  return {
    runtime: input.runtime,
    agentName: input.agentName,
    workers: input.workers.length,
    loadFunc: input.runtime !== 'byo' ? input.pool.loadFunc : 'set in your worker',
    loadThreshold: input.pool.loadThreshold,
    arrival: input.pool.arrival.mode === 'poisson' ? `poisson ${input.pool.arrival.ratePerS}/s` : 'step',
    warning: input.externalServer ? PRODUCTION_POOL_WARNING : null,
    perWorker: input.workers.map((w) => workerSummary(w, input.sessions, input, hostCpu, t0)),
    perJob: perJob(input),
    fixedPerWorker: fixedPerWorker(input),
    jobsOverTime: jobsOverTime(input, t0, endAt, 5),
    dispatch: dispatchSummary(input.sessions, input.placeBoundS),
    ...(input.pool.sessionLengthS !== null ? { soak: { points: soakPoints(input, t0) } } : {}),
    routing: routingSummary(input),
    drain: drainSummary(input, t0),
    failover: failoverSummary(input, t0),
    grace: graceSummary(input, t0),
  };
}
