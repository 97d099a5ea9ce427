/**
 * The report from a recorded run folder (test/fixtures/report-run: results.json and samples.jsonl
 * of a real 3-step voice-2 ramp, 1 → 3 sessions): the charts carry exactly the run's samples and
 * steps, render, and the page embeds them. The capacity model here is a stand-in built from the
 * run's steps; this test checks the run's own data, not the model.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { CapacityModel } from '../harness/capacity/types.js';
import { renderChartSvgs } from '../harness/report/charts.js';
import { QUALITY_MEASURES } from '../harness/report/charts/limits.js';
import { compiledCharts } from '../harness/report/charts/registry.js';
import { renderReportHtml } from '../harness/report/html.js';
import type { ReportData } from '../harness/report/types.js';
import { mean } from '../harness/results/stats.js';
import type { RunResult } from '../harness/results/types.js';
import { ROLES, type Sample } from '../harness/sampling/types.js';
import { dataOf, near } from './report-html-data.js';

const dir = new URL('../../test/fixtures/report-run/', import.meta.url);

function load(): ReportData {
  const result = JSON.parse(readFileSync(new URL('results.json', dir), 'utf8')) as RunResult;
  const samples = readFileSync(new URL('samples.jsonl', dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);
  const points = result.steps.map((s) => ({ sessions: s.sessions, value: mean(s.series.agents.cpuCores) as number }));
  const model: CapacityModel = {
    host: result.host,
    target: { ...result.target, label: '4 cores / 8 GB' },
    targetBasis: { kind: 'extrapolated', how: 'stand-in' },
    steadiness: { rule: 'stand-in', steps: result.steps.map((s) => ({ index: s.index, sessions: s.sessions, steady: true, memorySteady: true, reason: 'stand-in' })) },
    cpu: { base: 0.2, perSession: 0.15, perSessionCi: null, baseCi: null, confidence: 0.95, points, r2: null, residualSd: null },
    pss: null,
    knee: { sessions: null, stepIndex: null, broke: [], basis: 'no step broke' },
    inputs: { loadThreshold: 0.7, loadThresholdSource: 'stand-in', peakSessions: null, arrivalRate: null, podStartS: 60, sessionLengthS: 600 },
    recommendations: [],
    warnings: [],
  };
  return { result, samples, model };
}

function charts(data: ReportData) {
  return Object.fromEntries(compiledCharts(data).map((c) => [c.def.name, c.spec]));
}

test('the recorded run is what this test expects: 3 ramp steps, PSS in every sample', () => {
  const { result, samples } = load();
  assert.deepEqual(result.steps.map((s) => s.sessions), [1, 2, 3]);
  assert.ok(samples.length >= 40);
  assert.ok(samples.every((s) => ROLES.every((r) => s.roles[r].pssBytes !== null)));
});

test("cpu-memory and system-cpu carry every sample of the run folder, and its steps", () => {
  const data = load();
  const c = charts(data);
  const roles = dataOf(c['cpu-memory'] as object, 'roles');
  const system = dataOf(c['system-cpu'] as object, 'system');
  assert.equal(roles.length, data.samples.length * ROLES.length);
  assert.equal(system.length, data.samples.length * 2);
  for (const [i, s] of data.samples.entries()) {
    near(system[2 * i]?.cpuCores, s.system.cpuCores, `system cpu, sample ${i}`);
    for (const [j, role] of ROLES.entries()) {
      const row = roles[i * ROLES.length + j] as Record<string, unknown>;
      near(row.t, s.elapsedMs / 1000, `t, sample ${i}`);
      near(row.cpuCores, s.roles[role].cpuCores, `${role} cpu, sample ${i}`);
      near(row.memMB, (s.roles[role].pssBytes as number) / 1024 ** 2, `${role} pss, sample ${i}`);
      assert.equal(row.sessions, s.activeSessions);
    }
  }
  for (const name of ['cpu-memory', 'system-cpu']) {
    const steps = dataOf(c[name] as object, 'steps');
    assert.deepEqual(steps.map((s) => [s.startS, s.fromS, s.toS]), data.result.steps.map((s) => [s.startS, s.fromS, s.toS]), name);
  }
  assert.ok(JSON.stringify(c['cpu-memory']).includes('2 cores, Intel(R) Xeon(R) Processor'));
});

test("quality and cost carry each recorded step's figures", () => {
  const data = load();
  const c = charts(data);
  const quality = dataOf(c['quality-vs-sessions'] as object, 'quality');
  for (const s of data.result.steps) {
    for (const m of QUALITY_MEASURES) {
      const row = quality.find((r) => r.step === s.index + 1 && r.measure === m.key);
      const v = m.pick(s.qos);
      if (v === null) assert.equal(row, undefined);
      else near(row?.value, v, `${m.key}, step ${s.index + 1}`);
    }
  }
  const points = dataOf(c['cost-vs-sessions'] as object, 'cpuPoints');
  assert.deepEqual(points.map((p) => p.sessions), [1, 2, 3]);
  for (const [i, s] of data.result.steps.entries()) near(points[i]?.value, mean(s.series.agents.cpuCores) as number, `step ${i + 1} agents cpu`);
  const line = dataOf(c['cost-vs-sessions'] as object, 'cpuFit');
  for (const r of line) near(r.value, 0.2 + 0.15 * (r.sessions as number), `line at ${r.sessions}`);
  assert.deepEqual(dataOf(c['cost-vs-sessions'] as object, 'pssFit'), []);
});

test('the recorded run renders to SVGs with marks and to a page that embeds every sample', async () => {
  const data = load();
  const svgs = await renderChartSvgs(data);
  for (const [name, svg] of Object.entries(svgs)) assert.match(svg, /class="mark-line role-mark[^"]*"[^>]*><path [^>]*d="M/, name);
  const html = renderReportHtml(data);
  const json = /<script type="application\/json" id="voiceload-charts">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}';
  const specs = JSON.parse(json) as Record<string, object>;
  assert.equal(dataOf(specs['cpu-memory'] as object, 'roles').length, data.samples.length * ROLES.length);
  assert.ok(html.includes('<p>The capacity model made no recommendation (see the warnings).</p>'));
});
