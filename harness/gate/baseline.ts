/**
 * Baselines: every numeric metric of one or more valid runs of a scenario, per run, with the host
 * they were measured on. Saved as JSON (meant to be committed beside the code it guards), loaded
 * and checked, and compared host to host so a comparison across unlike machines says how unlike.
 * Pure: the caller reads and writes the file.
 */
import { UsageError } from '../common/errors.js';
import { isMetric, METRIC_NAMES, metricInfo, readMetric, type MetricPath } from '../results/metrics.js';
import type { HostInfo, RunResult } from '../results/types.js';

/** What a baseline file holds. */
export interface Baseline {
  kind: 'voiceload-baseline';
  version: 1;
  scenario: string;
  /** Sessions the runs asked for; a comparison with a differently sized run is refused. */
  sessions: number;
  savedAt: string;
  /** The machine the runs were measured on, and the same in words. */
  host: HostInfo;
  hostDescription: string;
  /** Each run: when it started and where its results.json was. */
  runs: { startedAt: string; source: string }[];
  /** Every numeric metric, one value per run (null where a run did not measure it). */
  metrics: Partial<Record<MetricPath, (number | null)[]>>;
}

const GB = 1024 ** 3;

/** "2 cores, 7.8 GB, Intel(R) Xeon(R) …, linux-x64, kernel 6.1.0, node v20.19.0". */
export function describeHost(h: HostInfo): string {
  return `${h.cores} cores, ${(h.memoryBytes / GB).toFixed(1)} GB, ${h.cpuModel}, ${h.platform}, kernel ${h.kernel}, node ${h.node}`;
}

/**
 * Builds a baseline from valid runs of one scenario on one host. Runs of several scenarios, sizes or
 * hosts are bad input: a baseline must describe one thing measured in one place.
 */
export function buildBaseline(runs: { result: RunResult; source: string }[], savedAt: Date): Baseline {
  const first = runs[0];
  if (!first) throw new UsageError('a baseline needs at least one run');
  for (const { result, source } of runs) {
    if (result.scenario !== first.result.scenario) throw new UsageError(`${source}: scenario '${result.scenario}', but ${first.source} ran '${first.result.scenario}'; a baseline holds one scenario`);
    if (result.sessions.requested !== first.result.sessions.requested) {
      throw new UsageError(`${source}: ${result.sessions.requested} sessions, but ${first.source} ran ${first.result.sessions.requested}; a baseline holds one size`);
    }
    const diff = hostDifference(first.result.host, result.host);
    if (diff?.unlike) throw new UsageError(`${source}: measured on another host than ${first.source} (${diff.items.join(', ')}); a baseline holds one host`);
  }
  const metrics: Baseline['metrics'] = {};
  for (const name of METRIC_NAMES) {
    if (metricInfo(name).type !== 'number') continue;
    metrics[name] = runs.map(({ result }) => readMetric(result, name) as number | null);
  }
  return {
    kind: 'voiceload-baseline',
    version: 1,
    scenario: first.result.scenario,
    sessions: first.result.sessions.requested,
    savedAt: savedAt.toISOString(),
    host: { ...first.result.host },
    hostDescription: describeHost(first.result.host),
    runs: runs.map(({ result, source }) => ({ startedAt: result.startedAt, source })),
    metrics,
  };
}

/** The baseline as the file's text. */
export function renderBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

function isHost(h: unknown): h is HostInfo {
  if (typeof h !== 'object' || h === null) return false;
  const o = h as Record<string, unknown>;
  return typeof o.cores === 'number' && typeof o.memoryBytes === 'number'
    && ['hostname', 'cpuModel', 'platform', 'kernel', 'node'].every((k) => typeof o[k] === 'string');
}

/** Parses a baseline file's text; anything malformed is one line naming the file and the key. */
export function parseBaseline(text: string, file: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const bad = (key: string, why: string) => new UsageError(`${file}: '${key}' ${why}; save it again with: npm run baseline -- save`);
  if (typeof raw !== 'object' || raw === null || (raw as { kind?: unknown }).kind !== 'voiceload-baseline') {
    throw new UsageError(`${file}: not a voiceload baseline (no "kind": "voiceload-baseline"); save one with: npm run baseline -- save`);
  }
  const b = raw as Record<string, unknown>;
  if (b.version !== 1) throw bad('version', `is ${JSON.stringify(b.version)}, this voiceload reads version 1`);
  if (typeof b.scenario !== 'string') throw bad('scenario', 'must be a string');
  if (typeof b.sessions !== 'number') throw bad('sessions', 'must be a number');
  if (!isHost(b.host)) throw bad('host', 'must describe a host (cores, memoryBytes, cpuModel, platform, kernel, node)');
  if (!Array.isArray(b.runs) || b.runs.length === 0) throw bad('runs', 'must list at least one run');
  const n = b.runs.length;
  if (typeof b.metrics !== 'object' || b.metrics === null) throw bad('metrics', 'must be an object');
  const metrics: Baseline['metrics'] = {};
  for (const [name, values] of Object.entries(b.metrics)) {
    // A metric this version does not know (an older or newer file) is left out, not guessed at.
    if (!isMetric(name)) continue;
    if (!Array.isArray(values) || values.length !== n || !values.every((v) => v === null || typeof v === 'number')) {
      throw bad(`metrics.${name}`, `must hold ${n} numbers (one per run) or nulls`);
    }
    metrics[name] = values as (number | null)[];
  }
  return { ...(b as unknown as Baseline), metrics };
}

/** How two hosts differ: `unlike` when cores, memory (by more than 5 %), CPU model or platform differ. */
export interface HostDifference {
  unlike: boolean;
  /** Each difference in a few words: "cores 8 → 2 (−75 %)". */
  items: string[];
}

function pct(from: number, to: number): string {
  const p = Math.round(((to - from) / from) * 100);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p)} %`;
}

/** How the current host differs from the baseline's; null when they are alike in every respect. */
export function hostDifference(base: HostInfo, cur: HostInfo): HostDifference | null {
  const major: string[] = [];
  const minor: string[] = [];
  if (base.cores !== cur.cores) major.push(`cores ${base.cores} → ${cur.cores} (${pct(base.cores, cur.cores)})`);
  const mem = `memory ${(base.memoryBytes / GB).toFixed(1)} → ${(cur.memoryBytes / GB).toFixed(1)} GB (${pct(base.memoryBytes, cur.memoryBytes)})`;
  if (Math.abs(cur.memoryBytes - base.memoryBytes) > 0.05 * base.memoryBytes) major.push(mem);
  if (base.cpuModel !== cur.cpuModel) major.push(`CPU '${base.cpuModel}' → '${cur.cpuModel}'`);
  if (base.platform !== cur.platform) major.push(`platform ${base.platform} → ${cur.platform}`);
  if (base.node !== cur.node) minor.push(`node ${base.node} → ${cur.node}`);
  if (base.kernel !== cur.kernel) minor.push(`kernel ${base.kernel} → ${cur.kernel}`);
  if (major.length === 0 && minor.length === 0) return null;
  return { unlike: major.length > 0, items: [...major, ...minor] };
}

/** The warning to show for a host difference, or null when there is nothing to say. */
export function hostWarning(diff: HostDifference | null): string | null {
  if (diff === null) return null;
  if (diff.unlike) {
    return `the baseline was measured on an unlike host (${diff.items.join(', ')}): changes may reflect the host, not the code; save a baseline on this kind of host`;
  }
  return `the baseline host differs in software only (${diff.items.join(', ')})`;
}

/** Refuses a baseline of another scenario or size: per-session figures are not comparable across them. */
export function checkBaselineFits(b: Baseline, scenario: string, sessions: number, file: string): void {
  if (b.scenario !== scenario) throw new UsageError(`--baseline ${file}: it is a baseline of '${b.scenario}', this gate runs '${scenario}'`);
  if (b.sessions !== sessions) {
    throw new UsageError(`--baseline ${file}: it was measured at ${b.sessions} sessions, this gate runs ${sessions}; save a baseline at ${sessions} sessions`);
  }
}
