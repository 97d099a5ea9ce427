/**
 * Reads one role's CPU and memory from Prometheus instead of /proc: the workers as the cluster
 * measures them. PromQL over process-exporter's metrics (workers on VMs, matched by a group
 * name) or over cAdvisor's (worker pods, matched by a label selector). Same RoleSample shape as the
 * /proc sampler, so the capacity model and the reports need no change.
 */
import type { ProcessGroup, RoleSample, TreeSampler } from './types.js';

/** Where a role's figures come from, as the report names it. */
export interface PrometheusSource {
  /** Prometheus' HTTP address, e.g. http://127.0.0.1:9090. */
  url: string;
  /** `process-exporter`: `match` is a namegroup; `cadvisor`: `match` is a label selector body, e.g. namespace="agents",pod=~"worker-.*". */
  kind: 'process-exporter' | 'cadvisor';
  match: string;
  /** The scrape interval of the job, s: rate() windows are five of them (at least two points in each). */
  scrapeIntervalS: number;
}

/** The PromQL this source is read with: CPU cores, resident bytes, PSS bytes (null: none), processes. */
export function promQueries(src: PrometheusSource): { cpu: string; rss: string; pss: string | null; processes: string } {
  const w = `${Math.max(2, Math.round(src.scrapeIntervalS * 5))}s`;
  if (src.kind === 'process-exporter') {
    const g = `groupname=${JSON.stringify(src.match)}`;
    return {
      cpu: `sum(rate(namedprocess_namegroup_cpu_seconds_total{${g}}[${w}]))`,
      rss: `sum(namedprocess_namegroup_memory_bytes{${g},memtype="resident"})`,
      pss: `sum(namedprocess_namegroup_memory_bytes{${g},memtype="proportionalResident"})`,
      processes: `sum(namedprocess_namegroup_num_procs{${g}})`,
    };
  }
  // container!="" leaves out the pod-level cgroup series, which would count every container twice.
  const sel = `${src.match},container!="",container!="POD"`;
  return {
    cpu: `sum(rate(container_cpu_usage_seconds_total{${sel}}[${w}]))`,
    rss: `sum(container_memory_working_set_bytes{${sel}})`,
    pss: null,
    processes: `count(container_memory_working_set_bytes{${sel}})`,
  };
}

/** What fetch is to this module: injectable for tests. */
export type Fetch = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** One instant query's value: the single sample of an instant vector, 0 when the vector is empty, at `atS` (epoch s). */
export async function promInstant(src: Pick<PrometheusSource, 'url'>, query: string, atS: number | null = null, fetchFn: Fetch = fetch): Promise<number> {
  const params = new URLSearchParams({ query, ...(atS === null ? {} : { time: String(atS) }) });
  const res = await fetchFn(`${src.url.replace(/\/$/, '')}/api/v1/query?${params}`);
  if (!res.ok) throw new Error(`prometheus answered HTTP ${res.status} to ${query}`);
  const body = (await res.json()) as { status?: string; error?: string; data?: { resultType?: string; result?: { value?: [number, string] }[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`prometheus: ${body.error ?? 'not an instant vector'} (${query})`);
  const first = body.data.result?.[0]?.value?.[1];
  return first === undefined ? 0 : Number(first);
}

/** Samples one role from Prometheus. */
export class PrometheusRoleSampler {
  private readonly q: ReturnType<typeof promQueries>;

  constructor(readonly source: PrometheusSource, private readonly fetchFn: Fetch = fetch) {
    this.q = promQueries(source);
  }

  /** The role's figures as Prometheus holds them now. */
  async sample(): Promise<RoleSample> {
    const get = (query: string) => promInstant(this.source, query, null, this.fetchFn);
    const [cpu, rss, pss, processes] = await Promise.all([get(this.q.cpu), get(this.q.rss), this.q.pss === null ? null : get(this.q.pss), get(this.q.processes)]);
    return { processes, cpuCores: cpu, rssBytes: rss, pssBytes: pss };
  }
}

/**
 * A TreeSampler whose `role` group is read from Prometheus and every other group from `local`:
 * the recorder and everything after it do not know the difference.
 */
export function withRemoteRole(local: TreeSampler, role: string, remote: Pick<PrometheusRoleSampler, 'sample'>): TreeSampler {
  return {
    sample: (key, pids) => (key === role ? remote.sample() : local.sample(key, pids)),
    async sampleAll(groups: Readonly<Record<string, ProcessGroup>>) {
      const { [role]: _skip, ...rest } = groups;
      const [others, mine] = await Promise.all([local.sampleAll(rest), remote.sample()]);
      return { ...others, [role]: mine };
    },
  };
}

/**
 * The source named by the scenario flags: `--agents-prometheus URL --agents-match
 * process-exporter:GROUP|cadvisor:SELECTOR --scrape-interval S`. Returns an error line, or the source.
 */
export function sourceFromFlags(url: string, match: string | undefined, scrapeS: number | null): PrometheusSource | string {
  if (!/^https?:\/\/[^/\s]+/.test(url)) return `--agents-prometheus '${url}': give Prometheus' http:// or https:// address`;
  const m = /^(process-exporter|cadvisor):(.+)$/.exec(match ?? '');
  if (!m) return `--agents-match: give process-exporter:GROUP or cadvisor:SELECTOR, e.g. cadvisor:namespace="agents",pod=~"worker-.*"`;
  if (scrapeS === null || !(scrapeS > 0)) return '--scrape-interval: give the scrape interval of the job that scrapes the workers, e.g. 15s';
  return { url, kind: m[1] as PrometheusSource['kind'], match: m[2]!, scrapeIntervalS: scrapeS };
}

/** One line naming the source, for the report. */
export function describeSource(src: PrometheusSource): string {
  return `Prometheus at ${src.url} (${src.kind} ${src.kind === 'process-exporter' ? `group ${src.match}` : `{${src.match}}`}, scrape interval ${src.scrapeIntervalS} s)`;
}
