/**
 * Merges the shard results of a distributed run into one run (pure). Every shard's sessions are
 * put back under the whole run's numbering (shard i's local session j is session j·N + i) and
 * aggregated together by the same aggregate() a single-process run uses: counts add, histograms add
 * bucket by bucket and percentiles are read from the merged histogram, onset lags are pooled.
 * Per-second samples align on wall time: a second every shard sampled becomes one merged sample
 * (sums of each role), a second some shard missed is left out and counted. Each shard's own
 * health is kept beside the merged figures.
 */
import { UsageError } from '../common/errors.js';
import { ROLES, type Role, type RoleSample, type Sample } from '../sampling/types.js';
import { aggregate, MAX_PUBLISH_LATE_P99_MS } from './aggregate.js';
import type { ShardFile } from './shard.js';
import { mean } from './stats.js';
import type { QosMark, RunInput, RunResult, SessionRecord, ShardHealth } from './types.js';

/** One shard as read from its folder: shard.json and samples.jsonl. */
export interface ShardRun { file: ShardFile; samples: Sample[] }

/** The merged run: its gathered input, its result, and its aligned samples. */
export interface MergedRun { input: RunInput; result: RunResult; samples: Sample[] }

/** A shard sample counts for a second when it was taken within half a second of it. */
const ALIGN_MS = 500;

/** Checks the shards are the N parts of one run, each once; returns them in shard order. */
export function checkShards(runs: readonly ShardRun[]): ShardRun[] {
  if (runs.length === 0) throw new UsageError('merge: name at least one shard folder');
  const first = runs[0]!.file;
  const n = first.shard.count;
  for (const r of runs) {
    const { shard, input } = r.file;
    if (input.scenario !== first.input.scenario) throw new UsageError(`merge: shards of different scenarios (${first.input.scenario}, ${input.scenario}); merge one run's shards`);
    if (shard.count !== n || shard.totalSessions !== first.shard.totalSessions) throw new UsageError(`merge: shard ${shard.index}/${shard.count} is not from the same split as ${first.shard.index}/${n}`);
    if (input.toneHz !== first.input.toneHz || input.segments.length !== first.input.segments.length) throw new UsageError(`merge: shard ${shard.index} used another tone or speech file`);
  }
  const sorted = [...runs].sort((a, b) => a.file.shard.index - b.file.shard.index);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !sorted.some((r) => r.file.shard.index === i));
  if (missing.length > 0 || sorted.length !== n) {
    throw new UsageError(`merge: a run of ${n} shards needs each shard once; ${missing.length > 0 ? `missing ${missing.join(', ')}` : 'one is named twice'}`);
  }
  return sorted;
}

/** Shard i's local session j as the whole run numbers it. */
function globalIndex(local: number, shard: ShardFile['shard']): number {
  return local * shard.count + shard.index;
}

function sumRole(parts: RoleSample[]): RoleSample {
  const pss = parts.map((p) => p.pssBytes);
  return {
    processes: parts.reduce((a, p) => a + p.processes, 0),
    cpuCores: parts.reduce((a, p) => a + p.cpuCores, 0),
    rssBytes: parts.reduce((a, p) => a + p.rssBytes, 0),
    pssBytes: pss.every((p): p is number => p !== null) ? pss.reduce((a, p) => a + p, 0) : null,
    ...(parts.some((p) => p.pssEstimated !== undefined) ? { pssEstimated: parts.reduce((a, p) => a + (p.pssEstimated ?? 0), 0) } : {}),
  };
}

/** The merged sample of one second: each role summed over the shards' samples of that second. */
function sumSamples(at: number, elapsedMs: number, parts: Sample[]): Sample {
  const roles = Object.fromEntries(ROLES.map((r) => [r, sumRole(parts.map((p) => p.roles[r]))])) as Record<Role, RoleSample>;
  return {
    t: at, elapsedMs, roles,
    activeSessions: parts.reduce((a, p) => a + p.activeSessions, 0),
    system: {
      cpuCores: parts.reduce((a, p) => a + p.system.cpuCores, 0),
      memUsedBytes: parts.reduce((a, p) => a + p.system.memUsedBytes, 0),
      memTotalBytes: parts.reduce((a, p) => a + p.system.memTotalBytes, 0),
    },
    // The slowest shard's sampling pass; the harness CPU all of them spent.
    sampler: { wallMs: Math.max(...parts.map((p) => p.sampler.wallMs)), cpuMs: parts.reduce((a, p) => a + p.sampler.cpuMs, 0) },
  };
}

function nearest(samples: readonly Sample[], at: number): Sample | null {
  let best: Sample | null = null;
  for (const s of samples) if (Math.abs(s.t - at) <= ALIGN_MS && (best === null || Math.abs(s.t - at) < Math.abs(best.t - at))) best = s;
  return best;
}

/** The shard's mark taken with `sample` (marks are taken at each sample tick), or the last before it. */
function markOf(file: ShardFile, sample: Sample): QosMark | null {
  let found: QosMark | null = null;
  for (const m of file.input.marks) if (m.elapsedMs <= sample.elapsedMs) found = m;
  return found;
}

function mergeMarks(elapsedMs: number, runs: readonly ShardRun[], picked: Sample[]): QosMark {
  const sessions: QosMark['sessions'] = {};
  const generators: QosMark['generators'] = [];
  runs.forEach((r, i) => {
    const m = markOf(r.file, picked[i]!);
    if (!m) return;
    for (const [local, snap] of Object.entries(m.sessions)) sessions[globalIndex(Number(local), r.file.shard)] = snap;
    generators.push(...m.generators);
  });
  return { elapsedMs, sessions, generators };
}

/** Seconds from `start` to `end` that every shard sampled: merged samples and the marks taken with them. */
function alignOnTime(runs: readonly ShardRun[], start: number, end: number): { samples: Sample[]; marks: QosMark[]; dropped: number } {
  const samples: Sample[] = [];
  const marks: QosMark[] = [];
  let dropped = 0;
  for (let k = 1; start + k * 1000 <= end + ALIGN_MS; k++) {
    const at = start + k * 1000;
    const found = runs.map((r) => nearest(r.samples, at));
    if (found.every((p) => p === null)) continue;
    const picked = found.filter((p): p is Sample => p !== null);
    if (picked.length < runs.length) {
      dropped++;
      continue;
    }
    // The merged tick is when its last shard sample was taken: the window's ends, and the counters'
    // marks with them, are then real times, never a nominal second up to half a second off.
    const t = Math.max(...picked.map((p) => p.t));
    samples.push(sumSamples(t, t - start, picked));
    marks.push(mergeMarks(t - start, runs, picked));
  }
  return { samples, marks, dropped };
}

function renumber(r: ShardRun): SessionRecord[] {
  return r.file.input.sessions.map((s) => ({ ...s, index: globalIndex(s.index, r.file.shard) }));
}

/** One shard judged on its own, as a run of its share. */
function shardHealth(r: ShardRun): ShardHealth {
  const own = aggregate({ ...r.file.input, samples: r.samples });
  const p99 = own.qos.publishLateMs.p99;
  return {
    index: r.file.shard.index, hostname: own.host.hostname, cores: own.host.cores,
    valid: own.valid, invalidReasons: own.invalidReasons, sessions: { ...own.sessions },
    keptRealTime: p99 === null ? null : p99 <= MAX_PUBLISH_LATE_P99_MS,
    publishLateMsP99: p99, generatorLoopDelayMsP99: own.qos.generatorLoopDelayMs.p99,
    generatorCpuCores: mean(r.samples.map((s) => s.roles.generator.cpuCores)),
    harnessCpuCores: mean(r.samples.map((s) => s.roles.harness.cpuCores)),
  };
}

/** When the first shard's window closed, ms from the merged start; null when none closed before its end. */
function holdTo(inputs: readonly Omit<RunInput, 'samples'>[], startedAt: number): number | null {
  const ends = inputs.flatMap((i) => (i.holdToMs === undefined || i.holdToMs === null ? [] : [i.startedAt + i.holdToMs]));
  return ends.length > 0 ? Math.min(...ends) - startedAt : null;
}

/** The shards' gathered input as one run's: sessions renumbered, samples and marks aligned on time. */
function mergeInputs(runs: readonly ShardRun[]): { input: RunInput; dropped: number } {
  const inputs = runs.map((r) => r.file.input);
  const first = inputs[0]!;
  const startedAt = Math.min(...inputs.map((i) => i.startedAt));
  const endedAt = Math.max(...inputs.map((i) => i.endedAt));
  const aligned = alignOnTime(runs, startedAt, endedAt);
  const input: RunInput = {
    ...first,
    startedAt, endedAt,
    requestedSessions: inputs.reduce((a, i) => a + i.requestedSessions, 0),
    // Measure from when the last shard's window opened (every shard is then at full load) until the
    // first shard's closed (its sessions began to leave).
    holdFromMs: Math.max(...inputs.map((i) => i.startedAt + i.holdFromMs)) - startedAt,
    holdToMs: holdTo(inputs, startedAt),
    sessions: runs.flatMap(renumber).sort((a, b) => a.index - b.index),
    samples: aligned.samples,
    marks: aligned.marks,
    generatorLoopDelay: inputs.flatMap((i) => i.generatorLoopDelay),
    network: { ...first.network, allowedAddrs: [...new Set(inputs.flatMap((i) => i.network.allowedAddrs))] },
    confinement: null,
    kneeStop: null,
    invalidReasons: runs.flatMap((r) => r.file.input.invalidReasons.map((why) => `shard ${r.file.shard.index}: ${why}`)),
    interrupted: inputs.some((i) => i.interrupted),
  };
  return { input, dropped: aligned.dropped };
}

/** Merges the N shard results of one run into one run (see the file's comment). */
export function mergeShards(shardRuns: readonly ShardRun[]): MergedRun {
  const runs = checkShards(shardRuns);
  const { input, dropped } = mergeInputs(runs);
  const result = aggregate(input);
  const each = runs.map(shardHealth);
  for (const h of each.filter((e) => e.keptRealTime === false)) result.invalidReasons.push(`shard ${h.index} (${h.hostname}): its generator did not keep real time`);
  result.valid = result.invalidReasons.length === 0;
  result.perSession.basis += `; merged from ${runs.length} shards on ${new Set(each.map((e) => e.hostname)).size} generator hosts (roles summed over the shards each second; host above is shard 0's)`;
  result.shards = { count: runs.length, alignedSamples: input.samples.length, droppedSamples: dropped, each };
  return { input, result, samples: input.samples };
}
