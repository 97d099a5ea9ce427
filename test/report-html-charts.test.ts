/**
 * The charts, from hand-made report data: each compiled spec carries exactly the inputs (samples,
 * steps, the fit's line and band, the knee, the limits), says what its numbers are and where they
 * were measured, and renders to an SVG with marks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderChartSvgs } from '../harness/report/charts.js';
import { QUALITY_MEASURES } from '../harness/report/charts/limits.js';
import { CHARTS, compiledCharts } from '../harness/report/charts/registry.js';
import type { ReportData } from '../harness/report/types.js';
import { ROLES } from '../harness/sampling/types.js';
import { dataOf, makeReportData, near } from './report-html-data.js';

const MB = 1024 ** 2;

function spec(data: ReportData, name: string) {
  const c = compiledCharts(data).find((x) => x.def.name === name);
  assert.ok(c, `no chart ${name}`);
  assert.deepEqual(c.warnings, [], `vega-lite warned while compiling ${name}`);
  return c.spec;
}

test('every chart compiles without warnings, and its title says what it shows and the host it was measured on', () => {
  const data = makeReportData();
  for (const c of compiledCharts(data)) {
    assert.deepEqual(c.warnings, [], c.def.name);
    const title = c.spec.title as { text: string; subtitle: string[] };
    const words = [title.text, ...title.subtitle].join(' ');
    assert.match(words, /measured|fitted|extrapolated/, `${c.def.name}: no basis in the title`);
    assert.ok(words.includes('4 cores, AMD EPYC 7B13, 8.0 GB (bench-1)'), `${c.def.name}: no host in the title: ${words}`);
    assert.equal(JSON.stringify(c.spec).includes('"url"'), false, `${c.def.name} loads data from a URL`);
  }
});

test('cpu-memory: one row per role per sample, with the sampled CPU and PSS; the steps as measured', () => {
  const data = makeReportData();
  const s = spec(data, 'cpu-memory');
  const rows = dataOf(s, 'roles');
  assert.equal(rows.length, data.samples.length * ROLES.length);
  for (const [i, sample] of data.samples.entries()) {
    for (const [j, role] of ROLES.entries()) {
      const row = rows[i * ROLES.length + j] as Record<string, unknown>;
      assert.equal(row.role, role);
      near(row.t, sample.elapsedMs / 1000, 't');
      near(row.cpuCores, sample.roles[role].cpuCores, `${role} cpu`);
      near(row.memMB, (sample.roles[role].pssBytes as number) / MB, `${role} pss`);
    }
  }
  assert.deepEqual(dataOf(s, 'steps'), data.result.steps.map((st) => ({ step: st.index + 1, sessions: st.sessions, startS: st.startS, fromS: st.fromS, toS: st.toS })));
  assert.match(JSON.stringify(s), /PSS, MB/);
});

test('cpu-memory: agents that ran elsewhere (a deployed worker) get no line of zeros, and the subtitle says why', () => {
  const data = makeReportData();
  data.result.agentsElsewhere = 'dispatched to agent name "x", deployed by you';
  const s = spec(data, 'cpu-memory');
  const roles = new Set(dataOf(s, 'roles').map((r) => r.role));
  assert.deepEqual([...roles].sort(), ROLES.filter((r) => r !== 'agents').sort());
  assert.match(JSON.stringify(s), /No agents line: they ran elsewhere/);
});

test('cpu-memory falls back to RSS for every role when one sample has no PSS, and says so', () => {
  const data = makeReportData();
  (data.samples[3] as (typeof data.samples)[number]).roles.server.pssBytes = null;
  const s = spec(data, 'cpu-memory');
  const rows = dataOf(s, 'roles');
  near(rows[0]?.memMB, (data.samples[0] as (typeof data.samples)[number]).roles.agents.rssBytes / MB, 'agents rss');
  assert.match(JSON.stringify(s.title), /memory is RSS/);
  assert.match(JSON.stringify(s), /RSS, MB/);
});

test('cost: the fitted line is base + perSession × n, solid over the measured sessions and dashed beyond', () => {
  const data = makeReportData();
  const line = dataOf(spec(data, 'cost-vs-sessions'), 'cpuFit');
  // Fit over 5..15 sessions; the axis runs to the knee (20): 0–5 and 15–20 are extrapolated.
  assert.deepEqual(line.map((r) => [r.sessions, r.kind, r.piece]), [
    [0, 'extrapolated', 'below'], [5, 'extrapolated', 'below'], [5, 'fitted', 'fitted'],
    [15, 'fitted', 'fitted'], [15, 'extrapolated', 'above'], [20, 'extrapolated', 'above'],
  ]);
  for (const r of line) near(r.value, 0.1 + 0.15 * (r.sessions as number), `line at ${r.sessions}`);
  // Band at 20: base in [0.02, 0.18], slope in [0.14, 0.16] → 0.02 + 2.8 and 0.18 + 3.2.
  const end = line[5] as Record<string, unknown>;
  near(end.lo, 2.82, 'band low at 20');
  near(end.hi, 3.38, 'band high at 20');
  const pss = dataOf(spec(data, 'cost-vs-sessions'), 'pssFit');
  near(pss[2]?.value, 60 + 75 * 5, 'pss line at 5, MB');
  near(pss[5]?.hi, 80 + 78 * 20, 'pss band high at 20, MB');
});

test("cost: the fit's points are filled, the step left out is its measured mean, and the knee is drawn", () => {
  const data = makeReportData();
  const s = spec(data, 'cost-vs-sessions');
  const points = dataOf(s, 'cpuPoints');
  assert.deepEqual(points.slice(0, 3).map((p) => [p.sessions, p.use]), [[5, 'steady: in the fit'], [10, 'steady: in the fit'], [15, 'steady: in the fit']]);
  for (const p of points.slice(0, 3)) near(p.value, 0.1 + 0.15 * (p.sessions as number), 'fit point');
  const last = data.result.steps[3]?.series.agents.cpuCores as number[];
  assert.equal(points.length, 4);
  assert.equal(points[3]?.use, 'not steady: left out');
  near(points[3]?.value, last.reduce((a, b) => a + b, 0) / last.length, 'step 4 agents mean');
  assert.deepEqual(dataOf(s, 'knee').map((k) => k.sessions), [20]);
});

test('cost: with no fit, every step is a measured point and no line is drawn', () => {
  const data = makeReportData();
  data.model.cpu = null;
  const s = spec(data, 'cost-vs-sessions');
  assert.deepEqual(dataOf(s, 'cpuFit'), []);
  assert.deepEqual(dataOf(s, 'cpuPoints').map((p) => [p.step, p.use]), [
    [1, 'steady: no fit'], [2, 'steady: no fit'], [3, 'steady: no fit'], [4, 'not steady: left out'],
  ]);
  assert.match(JSON.stringify(s.title), /CPU: no fit/);
});

test('cost: steps the model did not judge are drawn as such, not as left out', () => {
  const data = makeReportData();
  data.model.cpu = null;
  data.model.steadiness.steps = [];
  assert.deepEqual(dataOf(spec(data, 'cost-vs-sessions'), 'cpuPoints').map((p) => p.use), ['not judged', 'not judged', 'not judged', 'not judged']);
});

test("quality: each step's measures as measured, a missing one left out, the limits and the knee", () => {
  const data = makeReportData();
  const s = spec(data, 'quality-vs-sessions');
  const rows = dataOf(s, 'quality');
  const expected = data.result.steps.flatMap((st) => QUALITY_MEASURES.flatMap((m) => {
    const v = m.pick(st.qos);
    return v === null ? [] : [{ measure: m.key, step: st.index + 1, sessions: st.sessions, value: v, limit: m.limit, broke: v > m.limit }];
  }));
  assert.deepEqual(rows, expected);
  // Step 2 has no loop-delay figure: 4 steps × 4 measures − 1.
  assert.equal(rows.length, 15);
  assert.equal(rows.some((r) => r.step === 2 && r.measure === 'agentLoopDelayP99'), false);
  assert.deepEqual(rows.filter((r) => r.broke).map((r) => [r.step, r.measure]), [[4, 'onsetLagP95'], [4, 'gaps']]);
  assert.deepEqual(dataOf(s, 'limits').map((l) => [l.measure, l.limit]), QUALITY_MEASURES.map((m) => [m.key, m.limit]));
  assert.deepEqual(dataOf(s, 'knee').map((k) => k.sessions), [20]);
});

test("system CPU: the host's CPU and the roles' sum per sample, the host's cores and the load threshold", () => {
  const data = makeReportData();
  const s = spec(data, 'system-cpu');
  const rows = dataOf(s, 'system');
  assert.equal(rows.length, 2 * data.samples.length);
  for (const [i, sample] of data.samples.entries()) {
    near(rows[2 * i]?.cpuCores, sample.system.cpuCores, 'system');
    near(rows[2 * i + 1]?.cpuCores, ROLES.reduce((a, r) => a + sample.roles[r].cpuCores, 0), 'roles sum');
  }
  const rules = dataOf(s, 'capacity');
  near(rules[0]?.cores, 4, 'host cores');
  near(rules[1]?.cores, 0.7 * 4, 'load threshold × cores');
});

test('renderChartSvgs renders every chart to an SVG with its marks', async () => {
  const data = makeReportData();
  const svgs = await renderChartSvgs(data);
  assert.deepEqual(Object.keys(svgs).sort(), CHARTS.filter((c) => c.applies?.(data) ?? true).map((c) => `${c.name}.svg`).sort());
  for (const [name, svg] of Object.entries(svgs)) {
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
    assert.match(svg, /<\/svg>$/, name);
    assert.match(svg, /class="mark-line role-mark[^"]*"[^>]*><path [^>]*d="M/, `${name}: no line drawn`);
    assert.ok(svg.includes('AMD EPYC 7B13'), `${name}: no host in the SVG`);
  }
  assert.match(svgs['cost-vs-sessions.svg'] as string, /class="mark-area role-mark[^"]*"[^>]*><path [^>]*d="M/, 'no band drawn');
});

test('the knee rule is drawn only when there is a knee', async () => {
  const red = /stroke="#d62728"/;
  const withKnee = await renderChartSvgs(makeReportData());
  assert.match(withKnee['cost-vs-sessions.svg'] as string, red);
  const data = makeReportData();
  data.model.knee = { sessions: null, stepIndex: null, broke: [], basis: 'no step broke' };
  const without = await renderChartSvgs(data);
  assert.doesNotMatch(without['cost-vs-sessions.svg'] as string, red);
});

test('a soak run has the memory-vs-sessions chart: its points, fitted lines and the verdicts; other runs do not', async () => {
  const data = makeReportData();
  assert.equal((await renderChartSvgs(data))['memory-vs-sessions.svg'], undefined);
  const MiB = 1024 ** 2;
  const points = Array.from({ length: 30 }, (_, i) => ({ completed: i + 1, atS: 5 * (i + 1), fixedPssBytes: (300 + 2 * (i + 1) + Math.sin(i)) * MiB, jobPssBytes: (120 + Math.sin(i)) * MiB }));
  data.result.workers = { ...data.result.workers!, soak: { points } };
  const svg = (await renderChartSvgs(data))['memory-vs-sessions.svg'];
  assert.ok(svg, 'no soak chart');
  assert.match(svg, /class="mark-line role-mark[^"]*"[^>]*><path [^>]*d="M/, 'no fitted line drawn');
  assert.match(svg, /Workers: leaks \d+\.\d MB per 100 sessions/);
  assert.match(svg, /Job process: no leak above/);
  assert.equal(dataOf(spec(data, 'memory-vs-sessions'), 'soak').length, 60);
});
