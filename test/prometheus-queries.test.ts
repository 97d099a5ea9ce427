/** The Prometheus sampler's PromQL, its flags and its seam, with a fake Prometheus. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { PrometheusRoleSampler, promQueries, withRemoteRole, type Fetch } from '../harness/sampling/prometheus.js';
import type { TreeSampler } from '../harness/sampling/types.js';

test('PromQL: process-exporter by group; cAdvisor by selector, without the pod-level series', () => {
  const pe = promQueries({ url: 'http://p', kind: 'process-exporter', match: 'agents', scrapeIntervalS: 1 });
  assert.equal(pe.cpu, 'sum(rate(namedprocess_namegroup_cpu_seconds_total{groupname="agents"}[5s]))');
  assert.equal(pe.pss, 'sum(namedprocess_namegroup_memory_bytes{groupname="agents",memtype="proportionalResident"})');
  const ca = promQueries({ url: 'http://p', kind: 'cadvisor', match: 'namespace="agents"', scrapeIntervalS: 15 });
  assert.equal(ca.cpu, 'sum(rate(container_cpu_usage_seconds_total{namespace="agents",container!="",container!="POD"}[75s]))');
  assert.equal(ca.rss, 'sum(container_memory_working_set_bytes{namespace="agents",container!="",container!="POD"})');
  assert.equal(ca.pss, null);
});

test('the agents role comes from Prometheus, every other role from /proc', async () => {
  const asked: string[] = [];
  const fake: Fetch = async (url) => {
    const q = new URL(url).searchParams.get('query')!;
    asked.push(q);
    const v = q.includes('cpu') ? '0.75' : q.includes('num_procs') ? '3' : '1000';
    return { ok: true, status: 200, json: async () => ({ status: 'success', data: { resultType: 'vector', result: [{ value: [0, v] }] } }) };
  };
  const local: TreeSampler = {
    sample: async () => ({ processes: 1, cpuCores: 0.1, rssBytes: 5, pssBytes: 4 }),
    sampleAll: async (groups) => Object.fromEntries(Object.keys(groups).map((k) => [k, { processes: 1, cpuCores: 0.1, rssBytes: 5, pssBytes: 4 }])),
  };
  const s = withRemoteRole(local, 'agents', new PrometheusRoleSampler({ url: 'http://p', kind: 'process-exporter', match: 'agents', scrapeIntervalS: 1 }, fake));
  const out = await s.sampleAll({ agents: { pids: [1], descendants: true }, generator: { pids: [2], descendants: true } });
  assert.deepEqual(out.agents, { processes: 3, cpuCores: 0.75, rssBytes: 1000, pssBytes: 1000 });
  assert.deepEqual(out.generator, { processes: 1, cpuCores: 0.1, rssBytes: 5, pssBytes: 4 });
  assert.equal(asked.length, 4);
});

test('flags: --agents-prometheus needs a match and the scrape interval, each named when missing', () => {
  const f = parseScenarioArgs(['voice-2', '--agents-prometheus', 'http://127.0.0.1:9090', '--agents-match', 'cadvisor:namespace="agents"', '--scrape-interval', '15s']);
  assert.deepEqual(f.agentsSource, { url: 'http://127.0.0.1:9090', kind: 'cadvisor', match: 'namespace="agents"', scrapeIntervalS: 15 });
  assert.throws(() => parseScenarioArgs(['voice-2', '--agents-prometheus', 'http://x:9090', '--scrape-interval', '1s']), /--agents-match: give process-exporter:GROUP/);
  assert.throws(() => parseScenarioArgs(['voice-2', '--agents-prometheus', 'http://x:9090', '--agents-match', 'process-exporter:a']), /--scrape-interval: give/);
  assert.throws(() => parseScenarioArgs(['voice-2', '--agents-match', 'process-exporter:a']), /go with --agents-prometheus/);
});
