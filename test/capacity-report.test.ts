/**
 * The capacity reporters: sizing.md, the Kubernetes manifests (validated against the Kubernetes
 * schemas shipped in the kubernetes-models package, offline), and `npm run report -- DIR` on
 * hand-made and recorded run folders.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { buildCapacityModel } from '../harness/capacity/model.js';
import { defaultSizingInputs } from '../harness/capacity/inputs.js';
import { settled } from '../harness/capacity/steadiness.js';
import { renderK8s } from '../harness/report/k8s.js';
import { renderSizingMd } from '../harness/report/sizing-md.js';
import { readRunFolder } from '../harness/report/read-run.js';
import type { ReportData } from '../harness/report/types.js';
import { mean } from '../harness/results/stats.js';
import type { RunResult } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import { MIB, linearRamp, makeResult, samplesOf, type ResultSpec } from './support/capacity-run.js';

const REPORT_CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const RECORDED = fileURLToPath(new URL('../../test/fixtures/runs/ramp/', import.meta.url));
const RAMP = { base: 0.1, perSession: 0.1, memBase: 200 * MIB, memPer: 100 * MIB };

/** Every temporary run folder a test made, removed at the end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function data(spec: Partial<ResultSpec> = {}, inputs = {}): ReportData {
  const result = makeResult({ steps: linearRamp({ counts: [5, 10, 15, 20, 25, 30], ...RAMP }), ...spec });
  return { result, samples: samplesOf(result), model: buildCapacityModel(result, { ...defaultSizingInputs(), ...inputs }) };
}


test('sizing.md: the answer first, then recommendations with their basis, then the evidence', () => {
  const md = renderSizingMd(data({}, { peakSessions: 200, arrivalRate: 0.5 }));
  const order = ['## The answer', '## Recommendations', '## Warnings', '## Evidence', '### Hosts', '### Ramp steps', '### Fits', '### Knee', '### Formulas'];
  const at = order.map((h) => md.indexOf(h));
  assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > (at[k - 1] as number))), `sections in order: ${at}`);
  assert.match(md, /On a \*\*4-core \/ 8 GB\*\* worker, \*\*27 voice sessions\*\* fit under load_threshold \*\*0\.7\*\* — \*fitted\*, from a run on 4 cores, 16\.0 GB, Test CPU/);
  assert.match(md, /For a peak of \*\*200\*\* concurrent sessions run \*\*8 replicas\*\*; the HPA ranges 4–10\./);
  assert.match(md, /Autoscale on CPU at \*\*44 %\*\*/);
  assert.match(md, /terminationGracePeriodSeconds \*\*630\*\*/);
  assert.match(md, /Requests: CPU \*\*3\.26 cores\*\*, memory \*\*3342 MiB\*\*; limits: CPU \*\*4\.00 cores\*\*, memory \*\*3342 MiB\*\*/);
  assert.match(md, /Every number taken from the run was measured on 4 cores, 16\.0 GB, Test CPU @ 3\.0GHz, the agents unconfined/);
  assert.match(md, /load_threshold used: 0\.7 — default of @livekit\/agents 1\.9 \(LiveKit's deployment page says 0\.75; change with --load-threshold\)/);
  assert.match(md, /\| Voice sessions per 4c8g worker \| 27 sessions \| fitted \|/);
  assert.match(md, /\| terminationGracePeriodSeconds \| 630 s \| from inputs \|/);
  assert.match(md, /\| 30 \(30\) \| 3\.10 \| 0\.77 \|.*BROKE: CPU load/, 'the steps table: step 5 carries 30 sessions at load 3.1 / 4');
  assert.match(md, /VAD onset lag p95 > 300 ms/);
  assert.match(md, /U = \(θ·C − b·λ·T\/k\) \/ \(\(1 \+ 0\.1\)·CPU request\)/);
  assert.doesNotMatch(md, /INVALID/);
  assert.ok(md.endsWith('\n') && !md.includes('undefined') && !md.includes('NaN'));
});

test('sizing.md: an invalid run says so on top; no worker size says why', () => {
  const bad = renderSizingMd(data({ valid: false }));
  assert.ok(bad.indexOf('**INVALID RUN**') < bad.indexOf('## The answer'));
  const none = renderSizingMd(data({ steps: [{ sessions: 5, cpu: [1, 1, 1] }] }));
  assert.match(none, /No worker size can be derived from this run for a 4-core \/ 8 GB worker: no steady step/);
  assert.ok(!none.includes('undefined') && !none.includes('NaN'));
});

function validate(text: string): { deployment?: Deployment; hpa?: HorizontalPodAutoscaler } {
  const obj = parse(text) as { kind?: string } | null;
  if (obj?.kind === 'Deployment') {
    const d = new Deployment(obj as ConstructorParameters<typeof Deployment>[0]);
    d.validate();
    return { deployment: d };
  }
  const h = new HorizontalPodAutoscaler(obj as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]);
  h.validate();
  return { hpa: h };
}

test('k8s manifests: valid against the Kubernetes schemas, carrying the recommendations', () => {
  const d = data({}, { peakSessions: 200, arrivalRate: 0.5 });
  const k = renderK8s(d);
  const dep = validate(k.deployment).deployment;
  const hpa = validate(k.hpa).hpa;
  assert.ok(dep && hpa);
  assert.equal(dep.apiVersion, 'apps/v1');
  const pod = dep.spec?.template.spec;
  assert.equal(pod?.terminationGracePeriodSeconds, 630);
  const c = pod?.containers[0];
  assert.deepEqual(c?.resources, { requests: { cpu: '3260m', memory: '3342Mi' }, limits: { cpu: '4', memory: '3342Mi' } });
  assert.deepEqual(c?.ports, [{ name: 'health', containerPort: 8081 }]);
  assert.deepEqual(c?.readinessProbe?.httpGet, { path: '/', port: 'health' });
  assert.deepEqual(c?.livenessProbe?.httpGet, { path: '/worker', port: 'health' });
  assert.ok(!k.deployment.includes('api-secret:') || k.deployment.includes('secretKeyRef'), 'credentials only by reference');
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.spec?.minReplicas, 4);
  assert.equal(hpa.spec?.maxReplicas, 10);
  assert.deepEqual(hpa.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 44 } } }]);
  assert.equal(hpa.spec?.behavior?.scaleUp?.stabilizationWindowSeconds, 0);
  assert.ok((hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds ?? 0) >= 300);
  assert.deepEqual(hpa.spec?.behavior?.scaleDown?.policies, [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 10, periodSeconds: 60 }]);
  assert.match(k.hpa, /^# Generated by voiceload from run test-ramp/);
  // The validator is not a rubber stamp: a broken manifest fails it.
  assert.throws(() => validate(k.hpa.replace(/maxReplicas: 10/, 'maxReplicas: ten')));
  assert.throws(() => validate(k.deployment.replace('cpu: 3260m', 'cpu: lots')));
});

test('k8s manifests: no worker size — a Deployment and an HPA of comments only, nothing that applies', () => {
  const k = renderK8s(data({ steps: [{ sessions: 5, cpu: [1, 1, 1] }] }));
  assert.equal(parse(k.deployment), null);
  assert.ok(k.deployment.split('\n').every((l) => l === '' || l.startsWith('#')));
  assert.match(k.deployment, /No worker size could be derived/);
  assert.equal(parse(k.hpa), null);
  assert.ok(k.hpa.split('\n').every((l) => l === '' || l.startsWith('#')));
});

test('k8s manifests: deployable only from 3 steady steps with an interval and at most ×2 past the largest step', () => {
  // Two steps (one or two points) on the 2-core host: an estimate for sizing.md, no manifest.
  const two = data({ steps: linearRamp({ counts: [2, 4], ...RAMP }) });
  assert.equal(two.model.plan, null);
  assert.match(two.model.warnings.join('\n'), /not deployable: .*the fit has 2 steady step\(s\), fewer than 3; re-run a ramp/);
  assert.equal(parse(renderK8s(two).deployment), null);
  // Three steady steps, but the answer lies far past the largest (4c8g from steps of 1..3 sessions): no manifest.
  const far = data({ steps: linearRamp({ counts: [1, 2, 3], ...RAMP }) });
  assert.equal(far.model.plan, null);
  assert.match(far.model.warnings.join('\n'), /is ×\d+\.\d the largest step measured \(3\), more than ×2/);
  // sizing.md still gives the estimate with its range, and the run that would make it deployable.
  const md = renderSizingMd(far);
  assert.match(md, /An \*\*estimate, not deployable\*\*: on a \*\*4-core \/ 8 GB\*\* worker, about \*\*\d+ voice sessions\*\* fit .* range \d+–/);
  assert.match(md, /No manifest is written from it: \d+ sessions is ×[\d.]+ the largest step measured \(3\), more than ×2; re-run a ramp with at least 3 steady steps/);
});

function runReport(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [REPORT_CLI, 'report', ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function runFolder(result: RunResult, samples: Sample[]): string {
  const dir = tempDir('vl-report-');
  writeFileSync(join(dir, 'results.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(dir, 'samples.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  return dir;
}

/** What the report command must have written: every output, no warning, no temporary file. */
function checkWritten(dir: string, stderr: string): void {
  for (const f of ['sizing.md', 'summary.md', 'k8s/deployment.yaml', 'k8s/hpa.yaml', 'report.html']) assert.ok(existsSync(join(dir, f)), `${f} written`);
  assert.ok(readdirSync(join(dir, 'charts')).length > 0, 'charts written');
  assert.doesNotMatch(stderr, /not written|failed/);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no temporary files left');
}

test('npm run report -- DIR: re-renders from a run folder, sizing flags apply', async () => {
  const d = data();
  const dir = runFolder(d.result, d.samples);
  const r = await runReport([dir, '--peak-sessions', '200', '--arrival-rate', '30/min']);
  assert.equal(r.code, 0, r.stderr);
  checkWritten(dir, r.stderr);
  assert.match(r.stdout, /sizing\.md/);
  const md = readFileSync(join(dir, 'sizing.md'), 'utf8');
  assert.match(md, /For a peak of \*\*200\*\* concurrent sessions run \*\*8 replicas\*\*/);
  assert.match(readFileSync(join(dir, 'k8s/hpa.yaml'), 'utf8'), /averageUtilization: 44/);
  // Re-running with another target re-renders in place.
  const again = await runReport([dir, '--target', '8c16g']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(readFileSync(join(dir, 'sizing.md'), 'utf8'), /Worker sizing: test-ramp → 8c16g/);
});

test('npm run report -- DIR: bad input is one line, exit 2, nothing written', async () => {
  const d = data();
  const cases: Array<[string, (dir: string) => void, string[], RegExp]> = [
    ['no folder', () => undefined, ['/nonexistent/vl-run'], /no such folder/],
    ['no results.json', (dir) => writeFileSync(join(dir, 'results.json'), '{'), [], /results\.json: not valid JSON/],
    ['old results', (dir) => writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...d.result, steps: undefined })), [], /steps: Required \(written before ramp steps were recorded\? re-run the scenario\)/],
    ['bad sample', (dir) => writeFileSync(join(dir, 'samples.jsonl'), '{"elapsedMs":1,"roles":{}}\nnot json\n{"elapsedMs":3,"roles":{}}\n'), [], /samples\.jsonl: line 2 is not a sample/],
    ['bad flag', () => undefined, ['--load-threshold', '7'], /--load-threshold: '7' must be a number above 0 and at most 1/],
    ['unknown flag', () => undefined, ['--peak', '3'], /Unknown option '--peak'/],
  ];
  for (const [name, spoil, extra, re] of cases) {
    const dir = runFolder(d.result, d.samples);
    spoil(dir);
    const args = extra[0]?.startsWith('/') ? extra : [dir, ...extra];
    const r = await runReport(args);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re, name);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
    assert.ok(!existsSync(join(dir, 'sizing.md')) && !existsSync(join(dir, 'k8s')), `${name}: nothing written`);
  }
  const none = await runReport([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name one run folder/);
});

test('npm run report -- DIR: a last line cut short by a stopped run is left out, with a note', async () => {
  const d = data();
  const dir = runFolder(d.result, d.samples);
  writeFileSync(join(dir, 'samples.jsonl'), d.samples.map((s) => JSON.stringify(s)).join('\n') + '\n{"t":17000');
  const r = await runReport([dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /last line was cut short/);
  assert.equal((await readRunFolder(dir)).samples.length, d.samples.length);
});

test('recorded run (test/fixtures/runs/ramp): the report renders and the charts\' data match the run', async () => {
  assert.ok(existsSync(join(RECORDED, 'results.json')), 'test/fixtures/runs/ramp/results.json is missing');
  const dir = tempDir('vl-recorded-');
  cpSync(RECORDED, dir, { recursive: true });
  const r = await runReport([dir, '--peak-sessions', '100']);
  assert.equal(r.code, 0, r.stderr);
  checkWritten(dir, r.stderr);
  // The recorded run is invalid (its generator fell behind at 6 sessions): no deployable manifest, only a comment saying why.
  for (const f of ['k8s/deployment.yaml', 'k8s/hpa.yaml']) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.equal(parse(text), null, `${f} must not be deployable from an invalid run`);
    assert.match(text, /No worker size could be derived/);
  }
  // What the charts are drawn from: every sample of the run, and fit points that are the steady steps' means.
  const { result, samples } = await readRunFolder(dir);
  const lines = readFileSync(join(RECORDED, 'samples.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  assert.equal(samples.length, lines.length);
  const model = buildCapacityModel(result, defaultSizingInputs());
  assert.equal(model.steadiness.steps.length, result.steps.length);
  // The fit's points are the steady steps, one per step, at the sessions each step carried.
  const steady = result.steps.filter((_, i) => model.steadiness.steps[i]?.steady);
  assert.ok(steady.length > 0, 'the recorded ramp has steady steps');
  assert.ok(model.cpu, 'a CPU fit');
  assert.deepEqual(model.cpu.points.map((p) => p.sessions), steady.map((s) => s.sessions));
  for (const [i, p] of model.cpu.points.entries()) {
    const xs = steady[i]!.series.agents.cpuCores;
    assert.ok(p.value >= Math.min(...xs) && p.value <= Math.max(...xs), `point ${i} lies within its step's samples`);
  }
  for (const s of result.steps) {
    assert.ok(s.series.agents.cpuCores.length <= samples.length);
  }
  const svgs = readdirSync(join(dir, 'charts'));
  assert.ok(svgs.length > 0);
  for (const f of svgs) assert.match(readFileSync(join(dir, 'charts', f), 'utf8'), /<svg[\s>]/);
  assert.match(readFileSync(join(dir, 'sizing.md'), 'utf8'), new RegExp(`from a run on ${result.host.cores} cores`));
});
