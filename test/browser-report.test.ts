/**
 * The real-browser test: report.html written to disk is opened from file:// in Debian's headless
 * chromium, inside a private network namespace. Every chart must be drawn (an SVG with marks),
 * with no console error, page error or dialog, and no request leaving file://. With JavaScript
 * off the answer still reads. Needs root (the namespace) and chromium: `apt-get install chromium`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CapacityModel } from '../harness/capacity/types.js';
import { renderChartSvgs } from '../harness/report/charts.js';
import { CHARTS } from '../harness/report/charts/registry.js';
import { renderReportHtml } from '../harness/report/html.js';
import type { ReportData } from '../harness/report/types.js';
import type { RunResult } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import type { PageSeen } from './browser-report-driver.js';
import { makeModel, makeReportData } from './report-html-data.js';
import { runInNetns } from './support/netns.js';
import { testDir } from './support/tmp.js';

const CHROMIUM = process.env.VOICELOAD_CHROMIUM ?? '/usr/bin/chromium';
const DRIVER = fileURLToPath(new URL('./browser-report-driver.js', import.meta.url));

/** The recorded 3-step run, with the hand-made model's shape (its numbers do not matter here). */
function recordedRun(): ReportData {
  const dir = new URL('../../test/fixtures/report-run/', import.meta.url);
  const result = JSON.parse(readFileSync(new URL('results.json', dir), 'utf8')) as RunResult;
  const samples = readFileSync(new URL('samples.jsonl', dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);
  const model: CapacityModel = { ...makeModel(result), steadiness: { rule: 'stand-in', steps: [] }, knee: { sessions: null, stepIndex: null, broke: [], basis: 'no step broke' } };
  return { result, samples, model };
}

async function writePage(dir: string, data: ReportData): Promise<string> {
  mkdirSync(path.join(dir, 'charts'), { recursive: true });
  for (const [name, svg] of Object.entries(await renderChartSvgs(data))) writeFileSync(path.join(dir, 'charts', name), svg);
  const file = path.join(dir, 'report.html');
  writeFileSync(file, renderReportHtml(data));
  return file;
}

let pages: PageSeen[] = [];
/** The data behind each page: which charts a run has depends on it (the soak chart only for a soak). */
let datas: ReportData[] = [];

test('chromium opens both report pages from disk', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: install it (apt-get install chromium) or set VOICELOAD_CHROMIUM`);
  const root = testDir('vl-browser-');
  datas = [makeReportData('voice-20 </script><script>alert("injected")</script>'), recordedRun()];
  const files = [await writePage(path.join(root, 'hand'), datas[0]!), await writePage(path.join(root, 'recorded'), datas[1]!)];
  pages = await runInNetns<PageSeen[]>(DRIVER, [CHROMIUM, ...files]);
  assert.equal(pages.length, 2);
});

test('every chart is drawn as an SVG with marks', () => {
  assert.equal(pages.length, 2, 'the browser run failed');
  for (const [k, p] of pages.entries()) {
    const expected = CHARTS.filter((c) => c.applies?.(datas[k]!) ?? true).map((c) => c.name);
    assert.deepEqual(p.charts.map((c) => c.name), expected, p.file);
    for (const c of p.charts) {
      assert.equal(c.drawn, 'true', `${p.file}: ${c.name} not drawn`);
      assert.ok(c.svgs >= 1, `${p.file}: ${c.name} has no svg`);
      assert.ok(c.lines >= 1, `${p.file}: ${c.name} has no line`);
      assert.ok(c.marks >= 10, `${p.file}: ${c.name} has only ${c.marks} marks`);
    }
  }
});

test('no console error, page error or dialog (the hostile scenario name ran nothing)', () => {
  assert.equal(pages.length, 2, 'the browser run failed');
  for (const p of pages) {
    assert.deepEqual(p.consoleErrors, [], p.file);
    assert.deepEqual(p.pageErrors, [], p.file);
    assert.deepEqual(p.dialogs, [], p.file);
  }
});

test('no request left file://', () => {
  assert.equal(pages.length, 2, 'the browser run failed');
  for (const p of pages) {
    assert.ok(p.requests >= 1, `${p.file}: not even the page itself was requested`);
    assert.deepEqual(p.foreignRequests, [], p.file);
  }
});

test("hovering a point of the cost chart shows its value and basis (vega's tooltip)", () => {
  const hand = pages[0];
  assert.ok(hand, 'the browser run failed');
  assert.match(hand.tooltip ?? '', /sessions: 5[\s\S]*measured/);
});

test('with JavaScript off, the answer still reads and each chart points to its SVG', () => {
  const hand = pages[0];
  assert.ok(hand, 'the browser run failed');
  assert.match(hand.noScript.recommendations, /Sessions per worker\s+17 sessions\s+extrapolated/);
  assert.match(hand.noScript.chartFallback, /charts\/cpu-memory\.svg/);
});
