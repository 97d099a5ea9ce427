/**
 * How the run's measuring host relates to the target host, and so what kind of number the
 * target's figures are: measured (the agents ran on the target's cores: confined to them, or the
 * host has exactly that many), fitted (more cores here, costs fitted and applied to the target's),
 * or extrapolated (fewer cores here: the target's load lies beyond what this host could carry).
 * Also whether a knee found here holds on the target.
 */
import type { BasisKind, HostInfo, HostSize, RunResult } from '../results/types.js';
import type { Knee, SizingInputs } from './types.js';

const GB = 1024 ** 3;

/** "4c8g"-style label of a host size; memory in binary GB, one decimal at most. */
export function sizeLabel(size: HostSize): string {
  return `${size.cores}c${Math.round((size.memoryBytes / GB) * 10) / 10}g`;
}

/** "4-core / 8 GB". */
export function sizeWords(size: HostSize): string {
  return `${size.cores}-core / ${Math.round((size.memoryBytes / GB) * 10) / 10} GB`;
}

/**
 * The measuring host in words: "2 cores, 23.4 GB, Intel(R) Xeon(R) ...", or inside a container
 * "1 cores, 2.0 GB (a container's cgroup-v1 limits, on a machine of 2 cores, 23.4 GB), Intel...".
 */
export function hostWords(host: HostInfo): string {
  const m = host.limits?.machine;
  const within = m ? ` (a container's ${host.limits?.kind} limits, on a machine of ${m.cores} cores, ${(m.memoryBytes / GB).toFixed(1)} GB)` : '';
  return `${host.cores} cores, ${(host.memoryBytes / GB).toFixed(1)} GB${within}, ${host.cpuModel.replace(/\s+/g, ' ').trim()}`;
}

/** What the agents could use while measured, and how that compares with the target. */
export interface TargetView {
  target: HostSize & { label: string };
  /** Cores and memory the agents could use: the cgroup's when confined, else the host's. */
  measured: HostSize & { confined: boolean };
  /** 'same': the agents had the target's cores; 'larger'/'smaller': the measuring side had more/fewer. */
  relation: 'same' | 'larger' | 'smaller';
  basis: { kind: BasisKind; how: string };
}

/** The target (from `--target`, else the run's) and how the run's numbers transfer to it. */
export function targetView(result: RunResult, inputs: SizingInputs): TargetView {
  const target = inputs.target ?? { ...result.target, label: sizeLabel(result.target) };
  const c = result.confinement ?? null;
  const measured = { cores: c?.cpuCores ?? result.host.cores, memoryBytes: c?.memoryBytes ?? result.host.memoryBytes, confined: c !== null };
  const relation = measured.cores === target.cores ? 'same' : measured.cores > target.cores ? 'larger' : 'smaller';
  const where = c?.partition
    ? `the agents ran on CPU ${c.partition.agentCpus} of their own (a ${c.kind} cpuset, ${c.cpuCores} core(s)), the load side on CPU ${c.partition.loadCpus}, on a host of ${hostWords(result.host)}`
    : c !== null
    ? `the agents ran in a ${c.kind} cgroup of ${sizeWords({ cores: c.cpuCores, memoryBytes: c.memoryBytes })} on a host of ${hostWords(result.host)}`
    : `the agents ran unconfined on a host of ${hostWords(result.host)}, sharing it with the load generator and the server`;
  const tw = sizeWords(target);
  const how = {
    same: `measured: ${where} — the target's ${target.cores} cores` +
      (c === null ? '; sharing the host makes quality knees conservative (they may come later on a dedicated worker)' : ''),
    larger: `fitted: ${where}, more cores than the ${tw} target; per-session costs fitted here are applied to the ` +
      "target's cores (assumed as fast as this host's); a quality knee found here is an upper bound for the target, a CPU knee does not transfer",
    smaller: `extrapolated: ${where}, fewer cores than the ${tw} target; the target's figures extend the fit past what ` +
      "was measured (target cores assumed as fast as this host's); a knee at CPU saturation here does not transfer, a quality knee below saturation does",
  }[relation];
  const kind: BasisKind = relation === 'same' ? 'measured' : relation === 'larger' ? 'fitted' : 'extrapolated';
  return { target, measured, relation, basis: { kind, how } };
}

/** What the knee means on the target: a session limit (the most that held), its kind, and why. */
export interface KneeOnTarget { limit: number | null; kind: BasisKind; note: string }

/**
 * A knee that is only the CPU load reaching the threshold adds nothing to the fitted CPU bound,
 * which places the same point between steps. A quality knee on the target's own cores is the
 * target's. Elsewhere a quality knee with the host's CPU to spare transfers (quality broke for a
 * reason other than CPU); a knee at saturation does not: the target's CPU bound comes from the
 * fit. The limit is the most sessions of a valid step that held — the counts between it and the
 * knee were not measured.
 */
export function kneeOnTarget(knee: Knee, view: TargetView): KneeOnTarget {
  if (knee.sessions === null) return { limit: null, kind: 'measured', note: 'no knee within the sessions tried' };
  if (knee.cause === 'threshold') {
    return { limit: null, kind: 'fitted', note: `the knee at ${knee.sessions} sessions is the CPU load threshold itself; the CPU fit places it between steps` };
  }
  const limit = knee.lastGoodSessions ?? 0;
  if (view.relation === 'same') {
    return { limit, kind: 'measured', note: `quality broke at ${knee.sessions} sessions on the target's cores and held at ${limit}` };
  }
  if (knee.cause === 'saturation') {
    return {
      limit: null, kind: 'fitted',
      note: `quality broke at ${knee.sessions} sessions with this host's CPU saturated (${view.measured.cores} cores): ` +
        'a CPU knee does not transfer to a host of other size; the fitted CPU bound stands in for it',
    };
  }
  return {
    limit, kind: 'extrapolated',
    note: `quality broke at ${knee.sessions} sessions with CPU to spare on ${view.measured.cores} cores and held at ${limit}; ` +
      'taken to hold on the target' + (view.relation === 'larger' ? ' as an upper bound (it has fewer cores)' : ''),
  };
}
