/**
 * report.html from hand-made report data: one self-contained page (nothing it could fetch), hostile
 * text escaped everywhere it lands, and the sections the issue asks for with their numbers and bases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHARTS } from '../harness/report/charts/registry.js';
import { renderReportHtml } from '../harness/report/html.js';
import { makeReportData } from './report-html-data.js';

/** Like assert.match, without printing a 600 kB page when it fails. */
function has(text: string, re: RegExp): void {
  assert.ok(re.test(text), `not found: ${re}`);
}

function hasNot(text: string, re: RegExp): void {
  const m = re.exec(text);
  assert.ok(m === null, `found ${re}: …${m?.[0].slice(0, 200)}…`);
}

/** The page with the inline scripts' bodies taken out, so checks see only the markup. */
function markup(html: string): string {
  return html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
}

function chartSpecs(html: string): Record<string, unknown> {
  const m = /<script type="application\/json" id="voiceload-charts">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'no embedded chart specs');
  return JSON.parse(m[1] as string) as Record<string, unknown>;
}

test('the page is self-contained: no external script, style, image, font or link, and a CSP forbidding requests', () => {
  const html = renderReportHtml(makeReportData());
  const tags = markup(html);
  has(html, /^<!doctype html>/);
  hasNot(tags, /<script\b[^>]*\ssrc=/i);
  hasNot(tags, /<link\b/i);
  hasNot(tags, /<img\b|<iframe\b|@import|url\(/i);
  hasNot(tags, /(src|href)="(https?:)?\/\//i);
  has(tags, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  // The vega runtime is inline: its View and parse are in the page itself.
  assert.ok(html.length > 300_000, `page is only ${html.length} bytes: the runtime is missing`);
  has(html, /<script>[\s\S]*vega\.View[\s\S]*<\/script>/);
});

test('every chart has a container and its compiled spec embedded, with the data inline', () => {
  const data = makeReportData();
  const html = renderReportHtml(data);
  const specs = chartSpecs(html);
  const shown = CHARTS.filter((c) => c.applies?.(data) ?? true);
  assert.deepEqual(Object.keys(specs), shown.map((c) => c.name));
  for (const c of shown) assert.ok(html.includes(`<div class="chart" id="chart-${c.name}" data-chart="${c.name}">`), c.name);
  const cpu = specs['cpu-memory'] as { data: { name: string; values?: unknown[] }[] };
  assert.equal(cpu.data.find((d) => d.name === 'roles')?.values?.length, data.samples.length * 4);
});

test('hostile text in the scenario, host and warnings is escaped in the markup and in the embedded JSON', () => {
  const evil = '</script><script>alert(1)</script><!--';
  const data = makeReportData(`voice ${evil}`);
  data.result.host.cpuModel = `CPU ${evil}`;
  data.model.host = data.result.host;
  data.model.warnings.push(`warn ${evil} & "quotes"`);
  const html = renderReportHtml(data);
  // Exactly the page's three script elements, whatever the data holds.
  assert.equal(html.match(/<script\b/gi)?.length, 3);
  assert.equal(html.match(/<\/script>/gi)?.length, 3);
  assert.equal(html.includes('<script>alert(1)'), false);
  assert.ok(html.includes('voice &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--'));
  assert.ok(html.includes('warn &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quotes&quot;'));
  // The JSON still parses and carries the text unchanged into the chart titles.
  const specs = chartSpecs(html);
  assert.ok(JSON.stringify(specs['cpu-memory']).includes(JSON.stringify(`CPU ${evil}`).slice(1, -1)));
});

test('the answer: each recommendation with its value and unit, basis, why and inputs; the knee and the target basis', () => {
  const html = renderReportHtml(makeReportData());
  const row = /<tr data-key="sessionsPerWorker">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
  has(row, /<td>Sessions per worker<\/td>/);
  has(row, /<td class="num">17 sessions<\/td>/);
  has(row, /kind-extrapolated">extrapolated</);
  has(row, /the fit reaches the load threshold at 17 sessions/);
  has(row, /<code>perSession<\/code> = 0\.15/);
  has(row, /<code>loadThreshold<\/code> = 0\.7/);
  const load = /<tr data-key="loadThreshold">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
  has(load, /<td class="num">0\.7<\/td>/);
  has(html, /Knee:<\/strong> 20 sessions <span class="kind kind-measured">measured<\/span> \(step 4\)/);
  has(html, /VAD onset lag p95 420 ms &gt; 300 ms/);
  has(html, /sized for <strong>4 cores \/ 8 GB<\/strong>\s*\(<span class="kind kind-extrapolated">extrapolated<\/span>: from the fit on bench-1/);
  has(html, /Measured on <strong>4 cores, AMD EPYC 7B13, 8\.0 GB \(bench-1\)<\/strong>/);
});

test('warnings list the model\'s warnings, and an invalid run says so with its reasons', () => {
  const ok = renderReportHtml(makeReportData());
  has(ok, /<li>Step 4 \(20 sessions\) broke quality; the knee is at 20 sessions\.<\/li>/);
  hasNot(ok, /INVALID/);
  const data = makeReportData();
  data.result.valid = false;
  data.result.invalidReasons = ['generator fell behind: publish lateness p99 31.0 ms > 20 ms'];
  const bad = renderReportHtml(data);
  has(bad, /<strong>INVALID run<\/strong>/);
  has(bad, /This run is INVALID: generator fell behind: publish lateness p99 31\.0 ms &gt; 20 ms\./);
  has(bad, /<dt>Verdict<\/dt><dd><strong>INVALID<\/strong><ul><li>generator fell behind/);
});

test("steps: each step's verdict, reason and measured agents' cost; quality per step with the breaches marked", () => {
  const data = makeReportData();
  const html = renderReportHtml(data);
  const steps = /<table id="steps">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  const rows = steps.split('</tr>').filter((r) => r.includes('<td>'));
  assert.equal(rows.length, 4);
  has(rows[0] as string, /<td>1<\/td><td class="num">5<\/td><td class="num">5<\/td><td>0–20<\/td><td>5–20<\/td><td>steady<\/td><td>cv 2\.1 %/);
  has(rows[3] as string, /<td>not steady<\/td><td>quality broke: VAD onset lag p95 420 ms &gt; 300 ms<\/td>/);
  const cpu = data.result.steps[0]?.series.agents.cpuCores as number[];
  const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  assert.ok((rows[0] as string).includes(`<td class="num">${Number(mean.toFixed(3))}</td>`), 'step 1 agents CPU mean');
  const quality = /<table id="quality">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  has(quality, /<tr><td>4<\/td><td class="num">20<\/td><td class="num over">420<\/td><td class="num">9\.5<\/td><td class="num">35<\/td><td class="num over">3<\/td><\/tr>/);
  has(quality, /<tr><td>2<\/td><td class="num">10<\/td><td class="num">210<\/td><td class="num">1\.5<\/td><td class="num">n\/a<\/td>/);
});

test('steps of a run whose agents ran elsewhere say "not measured" instead of the agents\' zeros', () => {
  const data = makeReportData();
  data.result.agentsElsewhere = 'dispatched to agent name "x", deployed by you';
  const steps = /<table id="steps">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(renderReportHtml(data))?.[1] ?? '';
  const rows = steps.split('</tr>').filter((r) => r.includes('<td>'));
  assert.equal(rows.length, 4);
  for (const r of rows) has(r, /<td colspan="2">not measured: the agents ran elsewhere<\/td>$/);
});

test('run facts: host, target, server, network, sessions and window', () => {
  const html = renderReportHtml(makeReportData());
  has(html, /<dt>Host \(measured on\)<\/dt><dd>4 cores, AMD EPYC 7B13, 8\.0 GB \(bench-1\); linux-x64 6\.1\.0, node v20\.20\.2<\/dd>/);
  has(html, /<dt>Target \(sized for\)<\/dt><dd>4 cores, 8 GB<\/dd>/);
  has(html, /<dt>Server<\/dt><dd>local, version 1\.13\.5<\/dd>/);
  has(html, /<dt>Network<\/dt><dd>netns \(namespace vl-test\); candidate addresses used: 198\.18\.0\.1, 198\.18\.0\.2<\/dd>/);
  has(html, /<dt>Sessions<\/dt><dd>20 of 20 joined<\/dd>/);
  has(html, /<dt>Window<\/dt><dd>from 65 s \(last join 60 s \+ 5 s warm-up\) to 80 s \(16 samples\)<\/dd>/);
});

test('the page leads with the answer: sessions per worker, its range and its basis, before any table', () => {
  const data = makeReportData();
  const rec = data.model.recommendations.find((r) => r.key === 'sessionsPerWorker')!;
  rec.inputs = { ...rec.inputs, cpuRange95: '14–unbounded (point 17)' };
  const html = markup(renderReportHtml(data));
  const main = html.slice(html.indexOf('<main>'));
  const first = /<p\b[^>]*>([\s\S]*?)<\/p>/.exec(main)?.[1] ?? '';
  has(first, /<strong>17 sessions per 4 cores \/ 8 GB worker<\/strong>, range 14–unbounded, extrapolated from 4 cores to 4, ×1\.1 the largest step measured \(15\)/);
  has(first, /kind-extrapolated/);
  assert.ok(main.indexOf('id="headline"') < main.indexOf('<table'), 'the answer comes before the first table');
  // Without a deployable plan it says it is an estimate; from an invalid run, not to size from it.
  has(first, /An estimate, not deployable/);
  data.result.valid = false;
  has(markup(renderReportHtml(data)), /id="headline"[\s\S]*?From an INVALID run: do not size workers from it/);
});
