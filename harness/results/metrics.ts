/**
 * Which dotted paths of results.json are metrics a gate may name. The set is derived from the
 * RunResult type: every number or boolean leaf reachable through objects (arrays such as `steps`
 * and strings are not gateable). The catalogue below must list exactly those paths, so the
 * compiler fails when RunResult gains or loses a leaf and this file is not updated with it.
 */
import type { RunResult } from './types.js';

type Leaf = number | boolean;

/** Dotted paths of the number and boolean leaves of T, through nested objects, never into arrays. */
export type LeafPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Leaf
    ? K
    : NonNullable<T[K]> extends readonly unknown[]
      ? never
      : NonNullable<T[K]> extends object
        ? `${K}.${LeafPaths<NonNullable<T[K]>>}`
        : never;
}[keyof T & string];

/**
 * Every gateable metric: the leaves of RunResult, less the schema version (a format tag, not a
 * measure) and the container limits behind host.cores/memoryBytes (present only inside a container).
 */
export type MetricPath = Exclude<LeafPaths<RunResult>, 'schemaVersion' | `host.limits.${string}`>;

/**
 * Which way is better. `lower`/`higher` metrics are compared with a baseline; `none` ones describe
 * the run (its size, its schedule, the host) and can only be gated by a threshold.
 */
export type Better = 'lower' | 'higher' | 'none';

/** What the gate knows of one metric. */
export interface MetricInfo {
  type: 'number' | 'boolean';
  better: Better;
  /** Unit for display: cores, bytes, ms, s, count; '' for booleans. */
  unit: string;
}

const num = (better: Better, unit: string): MetricInfo => ({ type: 'number', better, unit });
const bool: MetricInfo = { type: 'boolean', better: 'none', unit: '' };
const lower = (unit: string) => num('lower', unit);
const context = (unit: string) => num('none', unit);
/** `prefix.k` for each key k, all lower-is-better in `unit`: the summaries (p50/p95/max, mean/max, ...). */
const lowerEach = (prefix: string, keys: readonly string[], unit: string): Record<string, MetricInfo> =>
  Object.fromEntries(keys.map((k) => [`${prefix}.${k}`, lower(unit)]));
const SPREAD = ['p50', 'p95', 'max'] as const;

type Role = keyof NonNullable<RunResult['roles']>;

function roleMetrics<R extends Role>(role: R) {
  const p = `roles.${role}` as const;
  return {
    [`${p}.cpuCores.mean`]: lower('cores'),
    [`${p}.cpuCores.p95`]: lower('cores'),
    [`${p}.cpuCores.max`]: lower('cores'),
    [`${p}.rssBytes.mean`]: lower('bytes'),
    [`${p}.rssBytes.max`]: lower('bytes'),
    [`${p}.pssBytes.mean`]: lower('bytes'),
    [`${p}.pssBytes.max`]: lower('bytes'),
    [`${p}.samples`]: context('count'),
  } as Record<`${typeof p}.${LeafPaths<NonNullable<RunResult['roles']>[R]>}`, MetricInfo>;
}

/** Worker runtimes (`--runtime framework|byo`): cost per job, dispatch, drills, e.g. `workers.drain.cut == 0`. */
function workerMetrics() {
  const spread = (p: string) => lowerEach(p, SPREAD, 'ms');
  return {
    'workers.workers': context('count'),
    'workers.loadThreshold': context(''),
    'workers.perJob.cpuCores': lower('cores'),
    'workers.perJob.pssBytes': lower('bytes'),
    'workers.fixedPerWorker.cpuCores': lower('cores'),
    'workers.fixedPerWorker.pssBytes': lower('bytes'),
    'workers.jobsOverTime.everyS': context('s'),
    'workers.dispatch.dispatched': context('count'),
    'workers.dispatch.failed': lower('count'),
    ...spread('workers.dispatch.toJobMs'),
    ...spread('workers.dispatch.toAgentInRoomMs'),
    'workers.dispatch.firstToLastS': context('s'),
    'workers.dispatch.placement.boundS': context('s'),
    'workers.dispatch.placement.redispatchedRooms': lower('count'),
    'workers.dispatch.placement.redispatches': lower('count'),
    'workers.dispatch.placement.neverPlaced': lower('count'),
    ...spread('workers.dispatch.placement.toAgentMs'),
    'workers.routing.refusedOffers': context('count'),
    'workers.routing.reroutedSessions': context('count'),
    ...spread('workers.routing.rerouteMs'),
    'workers.routing.unplaced': lower('count'),
    'workers.drain.worker': context('count'),
    'workers.drain.atS': context('s'),
    'workers.drain.sessionsRunning': context('count'),
    'workers.drain.completed': num('higher', 'count'),
    'workers.drain.cut': lower('count'),
    'workers.drain.newJobsAfter': lower('count'),
    'workers.drain.drainS': lower('s'),
    'workers.drain.exit.code': context(''),
    'workers.drain.lastSessionEndS': context('s'),
    'workers.drain.overheadS': lower('s'),
    'workers.failover.worker': context('count'),
    'workers.failover.atS': context('s'),
    'workers.failover.lost': lower('count'),
    'workers.failover.redispatched': num('higher', 'count'),
    ...spread('workers.failover.redispatchToAgentMs'),
    'workers.failover.redispatchUnanswered': lower('count'),
    'workers.failover.newRoomsAfter': context('count'),
    'workers.failover.newRoomsOnKilled': lower('count'),
    'workers.failover.survivors': lower('count'),
    'workers.grace.recommendedS': context('s'),
    'workers.grace.longestSessionS': context('s'),
    'workers.grace.drainOverheadS': context('s'),
  } as Record<`workers.${LeafPaths<NonNullable<RunResult['workers']>>}`, MetricInfo>;
}

/** What the human room's page heard (`--human-probe`): gateable, e.g. `human.heard.concealedPct < 1`. */
function humanMetrics() {
  const spread = (p: string, unit: string) => lowerEach(p, SPREAD, unit);
  const s3 = (p: string, unit: string) => lowerEach(p, ['mean', 'p95', 'max'], unit);
  const s2 = (p: string, unit: string) => lowerEach(p, ['mean', 'max'], unit);
  return {
    'human.joinedAt': context('ms'),
    'human.firstAudioAt': context('ms'),
    'human.seconds': context('s'),
    'human.heard.levelDbfs': num('higher', 'dBFS'),
    'human.heard.sentLevelDbfs': context('dBFS'),
    'human.heard.samplesReceived': num('higher', 'count'),
    'human.heard.concealedPct': lower('%'),
    'human.heard.concealmentEvents': lower('count'),
    'human.heard.packetsLost': lower('count'),
    'human.heard.lossPct': lower('%'),
    ...spread('human.heard.jitterMs', 'ms'),
    ...spread('human.heard.rttMs', 'ms'),
    ...spread('human.heard.jitterBufferMs', 'ms'),
    'human.vad.dataMessages': context('count'),
    'human.vad.dataStarts': num('higher', 'count'),
    'human.vad.agentStarts': context('count'),
    'human.vad.segmentsExpected': context('count'),
    'human.vad.segmentsDetected': num('higher', 'count'),
    ...spread('human.vad.onsetLagMs', 'ms'),
    'human.vad.alignment.stepMs': context('ms'),
    'human.vad.alignment.coarseScore': context(''),
    'human.vad.alignment.onsetsFound': num('higher', 'count'),
    'human.vad.alignment.missed': lower('count'),
    'human.vad.alignment.loopPeriodMs': context('ms'),
    'human.vad.alignment.captureDelayMsP50': lower('ms'),
    'human.vad.alignment.usable': bool,
    ...s3('human.browser.cpuCores', 'cores'),
    ...s2('human.browser.rssBytes', 'bytes'),
    ...s2('human.browser.pssBytes', 'bytes'),
  } as Record<`human.${LeafPaths<NonNullable<RunResult['human']>>}`, MetricInfo>;
}

function latencyMetrics<Q extends 'publishLateMs' | 'agentPublishLateMs' | 'agentLoopDelayMs' | 'generatorLoopDelayMs'>(q: Q) {
  return lowerEach(`qos.${q}`, ['p50', 'p99', 'max'], 'ms') as Record<`qos.${Q}.${'p50' | 'p99' | 'max'}`, MetricInfo>;
}

/** The catalogue: every metric of results.json, with its type, direction and unit. */
export const METRICS = {
  valid: bool,
  interrupted: bool,
  durationS: context('s'),
  'host.cores': context('cores'),
  'host.memoryBytes': context('bytes'),
  'target.cores': context('cores'),
  'target.memoryBytes': context('bytes'),
  'sessions.requested': context('count'),
  'sessions.joined': num('higher', 'count'),
  'window.fromS': context('s'),
  'window.toS': context('s'),
  'window.samples': context('count'),
  ...roleMetrics('agents'),
  ...roleMetrics('generator'),
  ...roleMetrics('server'),
  ...roleMetrics('harness'),
  'system.cpuCores.mean': lower('cores'),
  'system.cpuCores.p95': lower('cores'),
  'system.cpuCores.max': lower('cores'),
  'system.memUsedBytes.mean': lower('bytes'),
  'system.memUsedBytes.max': lower('bytes'),
  'sampler.samples': context('count'),
  'sampler.wallMs.mean': lower('ms'),
  'sampler.wallMs.max': lower('ms'),
  'sampler.cpuMs.mean': lower('ms'),
  'sampler.cpuMs.max': lower('ms'),
  'sampler.maxIntervalMs': lower('ms'),
  'perSession.cpuCores': lower('cores'),
  'perSession.pssBytes': lower('bytes'),
  'perSession.rssBytes': lower('bytes'),
  'qos.vad.segmentsExpected': context('count'),
  'qos.vad.segmentsDetected': num('higher', 'count'),
  'qos.vad.onsetLagMs.p50': lower('ms'),
  'qos.vad.onsetLagMs.p95': lower('ms'),
  'qos.vad.onsetLagMs.p50Censored': bool,
  'qos.vad.onsetLagMs.p95Censored': bool,
  'qos.vad.inferMs.p50': lower('ms'),
  'qos.vad.inferMs.p95': lower('ms'),
  'qos.agentAudio.framesExpected': context('count'),
  'qos.agentAudio.framesReceived': num('higher', 'count'),
  'qos.agentAudio.gapsOver100ms': lower('count'),
  'qos.agentAudio.maxGapMs': lower('ms'),
  'qos.agentAudio.toneOk': bool,
  'qos.agentAudio.sessionsHearingTone': num('higher', 'count'),
  'qos.agentAudio.sessionsListening': context('count'),
  'qos.agentAudio.generatorStalls': lower('count'),
  'qos.publishDroppedFrames': lower('count'),
  ...latencyMetrics('publishLateMs'),
  ...latencyMetrics('agentPublishLateMs'),
  ...latencyMetrics('agentLoopDelayMs'),
  ...latencyMetrics('generatorLoopDelayMs'),
  'ramp.step': context('count'),
  'ramp.everyS': context('s'),
  'ramp.settleS': context('s'),
  'confinement.cpuCores': context('cores'),
  'confinement.memoryBytes': context('bytes'),
  'confinement.partition.loadCores': context('cores'),
  'kneeStop.sessions': context('count'),
  'kneeStop.stepIndex': context('count'),
  ...humanMetrics(),
  ...workerMetrics(),
  'shards.count': context('count'),
  'shards.alignedSamples': context('count'),
  'shards.droppedSamples': lower('count'),
} satisfies Record<MetricPath, MetricInfo>;

// Spreads escape the excess-property check, so say it once more: no key that is not a leaf.
type Extra = Exclude<keyof typeof METRICS, MetricPath>;
const noExtraKeys: [Extra] extends [never] ? true : Extra = true;
void noExtraKeys;

/** All metric names, in catalogue order. */
export const METRIC_NAMES = Object.keys(METRICS) as MetricPath[];

/** True when `name` is a metric of results.json. */
export function isMetric(name: string): name is MetricPath {
  return Object.hasOwn(METRICS, name);
}

/** The catalogue entry of a metric. */
export function metricInfo(name: MetricPath): MetricInfo {
  return METRICS[name];
}

/**
 * A short hint for a name that is not a metric: what lies under its longest known prefix, one
 * level down ("qos.vad.onsetLagMs has: p50, p95"; "roles has: agents.…, generator.…"), so a
 * misspelt percentile or role points at the right ones.
 */
export function suggestMetrics(name: string): string {
  const parts = name.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = `${parts.slice(0, n).join('.')}.`;
    const under = METRIC_NAMES.filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length));
    if (under.length > 0) return `${prefix.slice(0, -1)} has: ${nextLevel(under).join(', ')}`;
  }
  return `metrics start with: ${nextLevel(METRIC_NAMES).join(', ')}`;
}

/** The first segment of each name, once, with ".…" where more segments follow. */
function nextLevel(names: readonly string[]): string[] {
  return [...new Set(names.map((m) => (m.includes('.') ? `${m.split('.')[0]}.…` : m)))];
}

/** A metric's value in one result: a number, a boolean, or null when the run did not measure it. */
export type MetricValue = number | boolean | null;

/** Reads a metric from a result by its dotted path; null where any step of the path is null or absent. */
export function readMetric(result: RunResult, name: MetricPath): MetricValue {
  let at: unknown = result;
  for (const key of name.split('.')) {
    if (at === null || typeof at !== 'object') return null;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' || typeof at === 'boolean' ? at : null;
}
