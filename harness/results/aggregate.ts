/**
 * Turns what a run gathered (RunInput) into its result (RunResult).
 * Pure: no I/O and no clock, so the same input always gives the same result.
 */
import { coresBetween } from '../sampling/cpu-ticks.js';
import type { Role, Sample } from '../sampling/types.js';
import { LatencyHistogram } from './histogram.js';
import { max, mean, summary2, summary3 } from './stats.js';
import { candidateUnion, networkViolation } from './network-check.js';
import { expectedOnsets, matchOnsets, onsetLagPercentiles } from './onsets.js';
import { isSaturated, SATURATION_SHARE } from './saturation.js';
import { summariseSteps } from './steps.js';
import { pssBasisWords } from './pss-basis.js';

export { matchOnsets } from './onsets.js';
import type {
  HistogramData, QosMark, QosSummary, RoleSummaries, RoleSummary, RunInput, RunResult, SessionRecord, SystemSummary,
} from './types.js';

/** The invalid reason of a run with no sample after every session joined plus warm-up: it has no window. */
export const NO_WINDOW = 'no samples after the last session joined';

/** The dominant frequency the user hears must be within this of the agent's tone. */
const TONE_TOLERANCE_HZ = 5;
const MAX_SAMPLE_GAP_MS = 2500;
/** Publish lateness p99 above this, ms: the generator did not keep real time and the run is invalid. */
export const MAX_PUBLISH_LATE_P99_MS = 20;
const MAX_LISTED_SESSION_ERRORS = 5;

/** "85 s", "2.5 s". */
function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Binary gigabytes, one decimal: "7.8". */
function gigabytes(bytes: number): string {
  return String(Math.round((bytes / 1024 ** 3) * 10) / 10);
}

/** For summaries of arrays the caller has already checked are non-empty. */
function known<T>(x: T | null): T {
  if (x === null) throw new Error('internal: summary of an empty array');
  return x;
}

interface Window { samples: Sample[]; fromS: number; toS: number; basis: string; reason: string | null }

function selectWindow(input: RunInput, all: Sample[]): Window {
  const to = input.holdToMs ?? Infinity;
  const held = all.filter((s) => s.elapsedMs >= input.holdFromMs && s.elapsedMs <= to);
  const chosen = held.length > 0 ? held : all;
  const first = chosen[0];
  const last = chosen[chosen.length - 1];
  if (first === undefined || last === undefined) {
    const from = input.holdFromMs;
    return { samples: [], fromS: from / 1000, toS: from / 1000, basis: 'no samples were taken', reason: null };
  }
  const span = `from ${seconds(first.elapsedMs)} to ${seconds(last.elapsedMs)}`;
  const base = { samples: chosen, fromS: first.elapsedMs / 1000, toS: last.elapsedMs / 1000 };
  const until = Number.isFinite(to) ? ', until the first session stopped' : '';
  if (held.length > 0 && input.kneeStop) {
    return { ...base, basis: `samples ${span}: the settled part of the ramp step where the run stopped at its knee${until}`, reason: null };
  }
  if (held.length > 0) {
    return { ...base, basis: `samples ${span}, after every session had joined plus warm-up${until}`, reason: null };
  }
  return {
    ...base,
    basis: `all ${chosen.length} samples, ${span}: none was taken after every session had joined plus warm-up${until}`,
    reason: NO_WINDOW,
  };
}

function summariseRole(samples: Sample[], role: Role): RoleSummary {
  const rs = samples.map((s) => s.roles[role]);
  const pss = rs.map((r) => r.pssBytes);
  // One missing PSS makes a mean over the rest misleading, so the role gets none.
  const pssAll = pss.every((p): p is number => p !== null) ? pss : null;
  return {
    cpuCores: known(summary3(rs.map((r) => r.cpuCores))),
    rssBytes: known(summary2(rs.map((r) => r.rssBytes))),
    pssBytes: pssAll === null ? null : summary2(pssAll),
    samples: rs.length,
  };
}

function summariseRoles(samples: Sample[]): RoleSummaries | null {
  if (samples.length === 0) return null;
  return {
    agents: summariseRole(samples, 'agents'),
    generator: summariseRole(samples, 'generator'),
    server: summariseRole(samples, 'server'),
    harness: summariseRole(samples, 'harness'),
  };
}

/**
 * Mean system CPU over the window's own seconds, from the kernel's counters at its first and last
 * sample: what /proc/stat says of that span. A mean of per-sample rates would count the second
 * before the window (each sample covers the interval before it) and weigh short and long intervals
 * alike. Without counters (not Linux, or under two samples), the mean of the samples.
 */
export function systemCpuMean(samples: readonly Sample[]): number | null {
  const a = samples[0]?.system.cpuTicks;
  const b = samples[samples.length - 1]?.system.cpuTicks;
  const fromCounters = samples.length >= 2 && a && b ? coresBetween(a, b) : null;
  return fromCounters ?? mean(samples.map((s) => s.system.cpuCores));
}

/** Where the window's host readings came from, when any came from a container's cgroup (the last sample says). */
function systemScope(samples: readonly Sample[]): Pick<SystemSummary, 'scope'> {
  const last = samples[samples.length - 1]?.system;
  if (last?.cpuSource !== 'cgroup' && last?.memSource !== 'cgroup') return {};
  return { scope: { cpu: last.cpuSource === 'cgroup' ? 'cgroup' : 'machine', memory: last.memSource === 'cgroup' ? 'cgroup' : 'machine' } };
}

function summariseSystem(samples: Sample[]): SystemSummary | null {
  if (samples.length === 0) return null;
  const perSample = known(summary3(samples.map((s) => s.system.cpuCores)));
  return {
    cpuCores: { ...perSample, mean: systemCpuMean(samples) ?? perSample.mean },
    memUsedBytes: known(summary2(samples.map((s) => s.system.memUsedBytes))),
    ...systemScope(samples),
  };
}

function summariseSampler(all: Sample[]): RunResult['sampler'] {
  const ts = all.map((s) => s.t).sort((a, b) => a - b);
  const gaps = ts.slice(1).map((t, i) => t - (ts[i] as number));
  return {
    samples: all.length,
    wallMs: summary2(all.map((s) => s.sampler.wallMs)),
    cpuMs: summary2(all.map((s) => s.sampler.cpuMs)),
    maxIntervalMs: max(gaps),
  };
}

/** Below this mean of active sessions in the window, no per-session cost is given. */
const MIN_ACTIVE_SESSIONS = 1;

function perSessionCost(input: RunInput, win: Window, joined: number): RunResult['perSession'] {
  const none = (why: string): RunResult['perSession'] =>
    ({ cpuCores: null, pssBytes: null, rssBytes: null, basis: why, kind: 'measured' });
  if (joined === 0) return none('no session joined, so there is no per-session cost');
  const active = mean(win.samples.map((s) => s.activeSessions));
  if (active === null || active <= 0) return none(`no session was active in the window (${win.basis})`);
  // Dividing by a fraction of a session would charge the agents' idle cost to it many times over.
  if (active < MIN_ACTIVE_SESSIONS) {
    return none(`fewer than ${MIN_ACTIVE_SESSIONS} session active on average in the window (${Math.round(active * 100) / 100}, ${win.basis}): the agents' cost there is their idle cost, not a per-session one`);
  }
  const agents = win.samples.map((s) => s.roles.agents);
  const per = (x: number | null): number | null => (x === null ? null : x / active);
  const pss = agents.map((a) => a.pssBytes);
  const { host } = input;
  return {
    cpuCores: per(mean(agents.map((a) => a.cpuCores))),
    pssBytes: pss.every((p): p is number => p !== null) ? per(mean(pss)) : null,
    rssBytes: per(mean(agents.map((a) => a.rssBytes))),
    basis:
      `measured on this host (${host.cores} cores, ${gigabytes(host.memoryBytes)} GB, ${host.cpuModel})` +
      confinementWords(input.confinement) +
      ` over ${win.basis}: ` +
      `the agents' mean CPU and memory divided by the mean number of active sessions (${Math.round(active * 10) / 10}); ` +
      'agent process trees only (one process per agent); the generator and server are not included' +
      pssBasisWords(agents, "the agents'"),
    kind: 'measured',
  };
}

/** Where the agents ran, as a clause of the per-session basis ('' when unconfined). */
function confinementWords(c: RunInput['confinement']): string {
  if (!c) return '';
  if (c.partition) return `, agents on CPU ${c.partition.agentCpus} of their own (${c.cpuCores} core(s), ${c.kind} cpuset; load side on CPU ${c.partition.loadCpus}),`;
  return `, agents inside a ${c.kind} of the target's size (${c.cpuCores} cores, ${gigabytes(c.memoryBytes)} GB),`;
}

/**
 * Merges one histogram field over all sessions, from the window's start to its end (the mark
 * closing the window, where marks hold the field; else the latest); a histogram that does not fit is reported.
 */
function mergeField(
  input: RunInput, field: 'publishLate' | 'agentPublishLate' | 'vadInferMs' | 'agentLoopDelay', reasons: string[],
): LatencyHistogram | null {
  const end = windowMarks(input)?.last;
  const latest = (s: SessionRecord): HistogramData | null =>
    (field !== 'vadInferMs' && end?.sessions[s.index]?.[field]) || s[field];
  // Only what the window saw: start-up bursts and teardown are not steady-state quality.
  const sources = input.sessions.map((s) => ({ index: s.index, latest: latest(s), baseline: s.atWindowStart?.[field] }));
  return LatencyHistogram.mergeSince(sources, (s, err) => reasons.push(`session ${s.index}: its ${field} histogram was left out (${err.message})`));
}

function mergeGenerators(input: RunInput, reasons: string[]): LatencyHistogram | null {
  const end = windowMarks(input)?.last;
  const sources = input.generatorLoopDelay.map((g, i) => ({ index: i, latest: end?.generators[i] ?? g.latest, baseline: g.atWindowStart }));
  return LatencyHistogram.mergeSince(sources, (g, err) => reasons.push(`generator ${g.index}: its loop-delay histogram was left out (${err.message})`));
}

function lateness(h: LatencyHistogram | null): QosSummary['publishLateMs'] {
  if (h === null) return { p50: null, p99: null, max: null };
  return { p50: h.percentile(50), p99: h.percentile(99), max: h.percentile(100) };
}

/** The marks that open and close the window: the first at or after its start, the last at or before its end. */
function windowMarks(input: RunInput): { first: QosMark; last: QosMark } | null {
  const to = input.holdToMs ?? Infinity;
  const first = input.marks.find((m) => m.elapsedMs >= input.holdFromMs);
  const last = [...input.marks].reverse().find((m) => m.elapsedMs <= to);
  return first && last && last.elapsedMs > first.elapsedMs ? { first, last } : null;
}

type Counter = 'framesExpected' | 'framesReceived' | 'gapsOver100ms' | 'generatorStalls' | 'publishDropped';

/**
 * A counter summed over `sessions` between the window's marks. Without marks (no sample was
 * taken: the run is invalid anyway) each session's whole count, from its join.
 */
function counted(input: RunInput, sessions: SessionRecord[], f: Counter): number {
  const w = windowMarks(input);
  const whole = (s: SessionRecord): number =>
    f === 'publishDropped' ? s.publishDropped ?? 0 : (s.agentAudio?.[f] ?? 0);
  if (input.marks.length === 0) return sessions.reduce((a, s) => a + whole(s), 0);
  if (w === null) return 0;
  const at = (m: QosMark, i: number): number => m.sessions[i]?.[f] ?? 0;
  return sessions.reduce((a, s) => a + Math.max(0, at(w.last, s.index) - at(w.first, s.index)), 0);
}

/** The longest of the agents' gaps that ended inside the window, null with none. */
function longestGap(input: RunInput, sessions: SessionRecord[]): number | null {
  const w = windowMarks(input);
  const from = input.startedAt + (w?.first.elapsedMs ?? input.holdFromMs);
  const to = input.startedAt + (w?.last.elapsedMs ?? input.holdToMs ?? input.endedAt - input.startedAt);
  const inside = sessions.flatMap((s) => (s.agentAudio?.gaps ?? []).filter((g) => g.at >= from && g.at <= to).map((g) => g.ms));
  if (inside.length > 0) return max(inside);
  // Records without gap times (older generators) keep their whole-run longest gap.
  const untimed = sessions.flatMap((s) => (s.agentAudio && !s.agentAudio.gaps && s.agentAudio.gapsOver100ms > 0 ? [s.agentAudio.maxGapMs] : []));
  return max(untimed);
}

function agentAudioQos(input: RunInput, joined: SessionRecord[]): QosSummary['agentAudio'] {
  // A generator with probes leaves most users deaf to their agent: only the listening ones are judged.
  const listening = joined.filter((s) => s.listens !== false);
  const audio = listening.flatMap((s) => (s.agentAudio === null ? [] : [s.agentAudio]));
  const hears = audio.filter(
    (a) => a.dominantHz.length > 0 && a.dominantHz.every((hz) => Math.abs(hz - input.toneHz) <= TONE_TOLERANCE_HZ),
  ).length;
  const gaps = counted(input, joined, 'gapsOver100ms');
  return {
    framesExpected: counted(input, joined, 'framesExpected'),
    framesReceived: counted(input, joined, 'framesReceived'),
    gapsOver100ms: gaps,
    maxGapMs: gaps > 0 ? longestGap(input, joined) : null,
    // Vacuous truth would call a run where no agent was heard "ok"; a gap is not ok either. Only the
    // sessions whose user listens count (a generator design with probes leaves the others out).
    toneOk: listening.length > 0 && hears === listening.length && gaps === 0,
    sessionsHearingTone: hears,
    sessionsListening: listening.length,
    generatorStalls: counted(input, joined, 'generatorStalls'),
  };
}

function summariseQos(input: RunInput, joined: SessionRecord[], reasons: string[]): QosSummary {
  let expected = 0;
  const lags: number[] = [];
  const end = Math.min(input.endedAt, input.startedAt + (input.holdToMs ?? Infinity));
  for (const s of joined) {
    const onsets = expectedOnsets(s, input.segments, input.endedAt, input.startedAt + input.holdFromMs, end);
    expected += onsets.length;
    lags.push(...matchOnsets(onsets, s.vadStarts));
  }
  const infer = mergeField(input, 'vadInferMs', reasons);
  return {
    vad: {
      segmentsExpected: expected,
      segmentsDetected: lags.length,
      onsetLagMs: onsetLagPercentiles(lags, expected),
      inferMs: { p50: infer?.percentile(50) ?? null, p95: infer?.percentile(95) ?? null },
    },
    agentAudio: agentAudioQos(input, joined),
    publishDroppedFrames: counted(input, joined, 'publishDropped'),
    publishLateMs: lateness(mergeField(input, 'publishLate', reasons)),
    agentPublishLateMs: lateness(mergeField(input, 'agentPublishLate', reasons)),
    agentLoopDelayMs: lateness(mergeField(input, 'agentLoopDelay', reasons)),
    generatorLoopDelayMs: lateness(mergeGenerators(input, reasons)),
    generatorClockNice: input.generatorLoopDelay.map((g) => g.clockNice ?? null),
  };
}

/**
 * A host that stayed saturated over the window caps every cost measured in it: the figures say what
 * the host could give, not what the sessions need. A ramp stopped at its knee is exempt: its window
 * is the step where it broke, and the knee says why.
 */
function saturationReason(input: RunInput, system: SystemSummary | null): string | null {
  if (input.kneeStop || system === null || !isSaturated(system.cpuCores.mean, input.host.cores)) return null;
  const what = system.scope?.cpu === 'cgroup' ? "the container's cgroup CPU mean" : 'system CPU mean';
  return `the host's CPU was saturated: ${what} ${system.cpuCores.mean.toFixed(2)} of ${input.host.cores} cores ` +
    `(≥ ${SATURATION_SHARE * 100} %) over the window, so costs are capped by the host; run fewer sessions, or a ramp`;
}

/** Where a ramp stopped because the load side broke before the agents did: the run measured no knee of theirs. */
function loadSideReason(input: RunInput): string | null {
  const k = input.kneeStop;
  if (!k?.loadSide?.length) return null;
  return `the load side broke first, at ${k.sessions} sessions (${k.loadSide.join('; ')}): the agents' knee was not reached`;
}

/** Reasons, from the rules below, not to trust the run; appended to `reasons`. */
function checkValidity(
  input: RunInput, joined: number, sampler: RunResult['sampler'], qos: QosSummary, reasons: string[],
): void {
  if (joined < input.requestedSessions) reasons.push(`${joined} of ${input.requestedSessions} sessions joined`);
  const loadSide = loadSideReason(input);
  if (loadSide) reasons.push(loadSide);
  if (input.samples.length === 0) reasons.push('no samples were taken');
  const network = networkViolation(input);
  if (network) reasons.push(network);
  if (sampler.maxIntervalMs !== null && sampler.maxIntervalMs > MAX_SAMPLE_GAP_MS) {
    reasons.push(`sampling stalled: a gap of ${(sampler.maxIntervalMs / 1000).toFixed(1)} s between samples`);
  }
  const p99 = qos.publishLateMs.p99;
  if (p99 !== null && p99 > MAX_PUBLISH_LATE_P99_MS) {
    reasons.push(
      `the generator could not keep real time: publish lateness p99 ${p99.toFixed(1)} ms > ${MAX_PUBLISH_LATE_P99_MS} ms; ` +
        (qos.generatorClockNice?.some((n) => n === 0)
          ? 'its clock threads ran at nice 0: run as root, or a container with --cap-add SYS_NICE, so they can be raised'
          : 'give it more CPU or fewer users per generator'),
    );
  }
  const errors = input.sessions.flatMap((s) => s.errors.map((e) => `session ${s.index}: ${e}`));
  reasons.push(...errors.slice(0, MAX_LISTED_SESSION_ERRORS));
  if (errors.length > MAX_LISTED_SESSION_ERRORS) {
    reasons.push(`and ${errors.length - MAX_LISTED_SESSION_ERRORS} more session errors`);
  }
}

/** Aggregates a run's raw input into its result. */
export function aggregate(input: RunInput): RunResult {
  const reasons = [...input.invalidReasons];
  const all = [...input.samples].sort((a, b) => a.elapsedMs - b.elapsedMs);
  const win = selectWindow(input, all);
  if (win.reason !== null) reasons.push(win.reason);
  const joinedSessions = input.sessions.filter((s) => s.agentJoinedAt !== null && s.userJoinedAt !== null);
  const joined = joinedSessions.length;
  const sampler = summariseSampler(all);
  const qos = summariseQos(input, joinedSessions, reasons);
  checkValidity(input, joined, sampler, qos, reasons);
  const system = summariseSystem(win.samples);
  const saturated = saturationReason(input, system);
  if (saturated) reasons.push(saturated);
  return {
    schemaVersion: 1,
    scenario: input.scenario,
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationS: (input.endedAt - input.startedAt) / 1000,
    valid: reasons.length === 0,
    invalidReasons: reasons,
    interrupted: input.interrupted,
    host: { ...input.host },
    target: { cores: input.target.cores, memoryBytes: input.target.memoryBytes },
    server: { mode: input.server.mode, version: input.server.version },
    network: { ...input.network, candidateAddresses: candidateUnion(input) },
    sessions: { requested: input.requestedSessions, joined },
    window: { fromS: win.fromS, toS: win.toS, samples: win.samples.length, basis: win.basis },
    roles: summariseRoles(win.samples),
    system,
    sampler,
    perSession: perSessionCost(input, win, joined),
    qos,
    ramp: { ...input.ramp },
    steps: summariseSteps(input, all),
    confinement: input.confinement ? { ...input.confinement } : null,
    kneeStop: input.kneeStop ? { ...input.kneeStop, broke: [...input.kneeStop.broke], ...(input.kneeStop.loadSide ? { loadSide: [...input.kneeStop.loadSide] } : {}) } : null,
  };
}
