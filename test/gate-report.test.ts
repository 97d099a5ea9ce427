/** The gate's decision, its baselines and its three renderers, from hand-built results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../harness/common/errors.js';
import { buildBaseline, checkBaselineFits, hostDifference, hostWarning, parseBaseline, renderBaseline } from '../harness/gate/baseline.js';
import { comparedMetrics, DEFAULT_COMPARE, directionOf, emptyConfig, loadGateFile, parseShare, validateGate } from '../harness/gate/config.js';
import { evaluateGate, type GateRun } from '../harness/gate/evaluate.js';
import { renderJunit, xmlEscape } from '../harness/gate/junit.js';
import { renderMarkdown } from '../harness/gate/markdown.js';
import { renderTable } from '../harness/gate/table.js';
import { parseThresholds } from '../harness/scenario/thresholds.js';
import type { RunResult } from '../harness/results/types.js';
import { runResult } from './support/run-result.js';

const GB = 1024 ** 3;
const runs = (results: RunResult[], exitCode: number | null = null): GateRun[] =>
  results.map((result, i) => ({ label: `run ${i + 1}`, dir: `/r/${i + 1}`, result, exitCode }));
const baselineOf = (cpus: number[]) => buildBaseline(cpus.map((c, i) => ({ result: runResult({}, c), source: `/b/${i}` })), new Date(0));

function usage(fn: () => unknown, want: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UsageError && !err.message.includes('\n') && want.test(err.message));
}

test('baseline: every numeric metric per run, the host in words, and it survives its own file', () => {
  const b = baselineOf([0.08, 0.082, 0.078]);
  assert.deepEqual(b.metrics['perSession.cpuCores'], [0.08, 0.082, 0.078]);
  assert.deepEqual(b.metrics['sessions.joined'], [2, 2, 2]);
  assert.equal('valid' in b.metrics, false, 'booleans are gated by thresholds, not stored');
  assert.equal(b.hostDescription, '2 cores, 8.0 GB, Test CPU 3000, linux-x64, kernel 6.1.0, node v20.19.0');
  assert.deepEqual(parseBaseline(renderBaseline(b), 'b.json'), b);
});

test('baseline: runs of two scenarios, sizes or hosts do not make one baseline', () => {
  const other = (over: Partial<RunResult>) => [{ result: runResult(), source: '/a' }, { result: runResult(over), source: '/b' }];
  usage(() => buildBaseline(other({ scenario: 'voice-30' }), new Date()), /^\/b: scenario 'voice-30', but \/a ran 'voice-2'/);
  usage(() => buildBaseline(other({ sessions: { requested: 5, joined: 5 } }), new Date()), /^\/b: 5 sessions, but \/a ran 2/);
  usage(() => buildBaseline(other({ host: { ...runResult().host, cores: 8 } }), new Date()), /^\/b: measured on another host than \/a \(cores 2 → 8 \(\+300 %\)\)/);
});

test('baseline: a malformed file is one line naming the file and the key', () => {
  const good = JSON.parse(renderBaseline(baselineOf([0.08]))) as Record<string, unknown>;
  const text = (over: Record<string, unknown>) => JSON.stringify({ ...good, ...over });
  usage(() => parseBaseline('{', 'b.json'), /^b\.json: not valid JSON/);
  usage(() => parseBaseline('{"runs": []}', 'b.json'), /^b\.json: not a voiceload baseline/);
  usage(() => parseBaseline(text({ version: 2 }), 'b.json'), /^b\.json: 'version' is 2, this voiceload reads version 1/);
  usage(() => parseBaseline(text({ host: { cores: 2 } }), 'b.json'), /^b\.json: 'host' must describe a host/);
  usage(() => parseBaseline(text({ runs: [] }), 'b.json'), /'runs' must list at least one run/);
  usage(() => parseBaseline(text({ metrics: { 'perSession.cpuCores': [1, 2] } }), 'b.json'), /^b\.json: 'metrics\.perSession\.cpuCores' must hold 1 numbers \(one per run\) or nulls/);
  // A metric this version does not know is left out rather than failing the file.
  assert.deepEqual(parseBaseline(text({ metrics: { 'old.metric': [1], 'perSession.cpuCores': [0.1] } }), 'b.json').metrics, { 'perSession.cpuCores': [0.1] });
  usage(() => checkBaselineFits(baselineOf([0.08]), 'voice-30', 2, 'b.json'), /^--baseline b\.json: it is a baseline of 'voice-2', this gate runs 'voice-30'$/);
  usage(() => checkBaselineFits(baselineOf([0.08]), 'voice-2', 5, 'b.json'), /measured at 2 sessions, this gate runs 5/);
});

test('hostDifference: how unlike, item by item', () => {
  const h = runResult().host;
  assert.equal(hostDifference(h, { ...h, hostname: 'other' }), null, 'the name alone is no difference');
  assert.equal(hostDifference(h, { ...h, memoryBytes: 8.2 * GB }), null, 'memory within 5 % is alike');
  const table: Array<[Partial<typeof h>, boolean, string[]]> = [
    [{ cores: 8 }, true, ['cores 2 → 8 (+300 %)']],
    [{ memoryBytes: 4 * GB }, true, ['memory 8.0 → 4.0 GB (−50 %)']],
    [{ cpuModel: 'Other CPU' }, true, ["CPU 'Test CPU 3000' → 'Other CPU'"]],
    [{ platform: 'darwin-arm64' }, true, ['platform linux-x64 → darwin-arm64']],
    [{ node: 'v22.1.0' }, false, ['node v20.19.0 → v22.1.0']],
    [{ cores: 4, kernel: '6.8.0' }, true, ['cores 2 → 4 (+100 %)', 'kernel 6.1.0 → 6.8.0']],
  ];
  for (const [over, unlike, items] of table) assert.deepEqual(hostDifference(h, { ...h, ...over }), { unlike, items }, JSON.stringify(over));
  assert.match(hostWarning(hostDifference(h, { ...h, cores: 8 })) ?? '', /^the baseline was measured on an unlike host \(cores 2 → 8 \(\+300 %\)\): changes may reflect the host/);
  assert.equal(hostWarning(hostDifference(h, { ...h, node: 'v22.1.0' })), 'the baseline host differs in software only (node v20.19.0 → v22.1.0)');
});

test('gate file: keys, tolerances, compare list and direction, each error names the file', () => {
  const g = validateGate({ thresholds: ['perSession.cpuCores < 0.15', 'sessions.requested < 5'], compare: ['perSession.pssBytes'], tolerance: { default: '5%', 'perSession.cpuCores': 0.2 }, confidence: '90%' }, 'g.json');
  assert.deepEqual(g.tolerance, { default: 0.05, perMetric: { 'perSession.cpuCores': 0.2 } });
  assert.equal(g.confidence, 0.9);
  // Context metrics are compared only when a threshold gives them a direction.
  assert.equal(directionOf('sessions.requested', g.thresholds), 'lower');
  assert.equal(directionOf('sessions.requested', []), null);
  assert.deepEqual(comparedMetrics(g), ['perSession.pssBytes'], 'the compare list, not the thresholds');
  assert.deepEqual(comparedMetrics(emptyConfig()), DEFAULT_COMPARE);
  assert.deepEqual(comparedMetrics({ ...emptyConfig(), thresholds: parseThresholds(['qos.vad.segmentsDetected > 0'], 'f') }), DEFAULT_COMPARE);
  const ctx = validateGate({ thresholds: ['sessions.requested < 5'], compare: ['sessions.requested'] }, 'g.json');
  assert.deepEqual(comparedMetrics(ctx), ['sessions.requested']);
  assert.equal(parseShare('12.5%', 'x'), 0.125);
  usage(() => validateGate({ treshold: [] }, 'g.json'), /^g\.json: unknown key 'treshold'; known keys: thresholds, compare, tolerance, confidence$/);
  usage(() => validateGate({ compare: ['perSession.cpu'] }, 'g.json'), /^g\.json: compare\[0\]: "perSession\.cpu" is not a metric of results\.json; perSession has: /);
  usage(() => validateGate({ compare: ['valid'] }, 'g.json'), /^g\.json: compare\[0\]: 'valid' is true or false/);
  usage(() => validateGate({ compare: ['durationS'] }, 'g.json'), /^g\.json: compare\[0\]: 'durationS' describes the run, it has no better direction/);
  usage(() => validateGate({ tolerance: { 'qos.nope': '5%' } }, 'g.json'), /^g\.json: tolerance key: "qos\.nope" is not a metric/);
  usage(() => validateGate({ tolerance: '-5%' }, 'g.json'), /^g\.json: tolerance: "-5%" is not a tolerance/);
  usage(() => validateGate({ confidence: 1 }, 'g.json'), /^g\.json: confidence: 1 is not a confidence level/);
  usage(() => validateGate({ thresholds: ['valid = true'] }, 'g.json'), /^g\.json: thresholds\[0\]: 'valid = true': not a threshold/);
  usage(() => validateGate([], 'g.json'), /^g\.json: a gate file must hold a JSON object$/);
});

test('the example gate file of the docs loads', async () => {
  const g = await loadGateFile(new URL('../../docs/ci/gate.json', import.meta.url).pathname);
  assert.ok(g.thresholds.length > 0);
  assert.deepEqual(comparedMetrics(g), ['perSession.cpuCores', 'perSession.pssBytes', 'qos.vad.onsetLagMs.p95']);
});

test('evaluateGate: pass, a failed threshold, a regression, a missing value', () => {
  const config = { ...emptyConfig(), thresholds: parseThresholds(['perSession.cpuCores < 0.15', 'valid == true'], 'g.json') };
  const baseline = { file: 'b.json', data: baselineOf([0.08, 0.082, 0.078]) };
  let r = evaluateGate({ scenario: 'voice-2', runs: runs([runResult({}, 0.081), runResult({}, 0.079)]), config, baseline });
  assert.deepEqual([r.verdict, r.exitCode, r.failures], ['pass', 0, []]);
  assert.deepEqual(r.comparisons.map((c) => [c.metric, c.verdict]), [
    ['perSession.cpuCores', 'no significant change'], ['perSession.pssBytes', 'no significant change'], ['qos.vad.onsetLagMs.p95', 'no significant change'],
  ]);
  r = evaluateGate({ scenario: 'voice-2', runs: runs([runResult({}, 0.2)]), config, baseline });
  assert.deepEqual([r.verdict, r.exitCode], ['fail', 99]);
  assert.deepEqual(r.failures, [
    "threshold 'perSession.cpuCores < 0.15': perSession.cpuCores = 0.2 cores, not < 0.15",
    'perSession.cpuCores: regressed: the interval lies wholly beyond the tolerance, on the worse side',
  ]);
  const noPss = runResult({}, 0.08);
  noPss.perSession.pssBytes = null;
  r = evaluateGate({ scenario: 'voice-2', runs: runs([noPss]), config: { ...emptyConfig(), compare: ['perSession.pssBytes'] }, baseline });
  assert.deepEqual([r.verdict, r.failures], ['fail', ['perSession.pssBytes: missing: null (not measured) in run 1']]);
  r = evaluateGate({ scenario: 'voice-2', runs: runs([runResult()]), config: emptyConfig(), baseline: null });
  assert.deepEqual([r.verdict, r.thresholds, r.comparisons], ['pass', [], []]);
});

test('evaluateGate: an invalid, failed or interrupted run is not judged, and its exit code wins', () => {
  const config = { ...emptyConfig(), thresholds: parseThresholds(['perSession.cpuCores < 0.0001'], 'g.json') };
  const bad = runResult({ valid: false, invalidReasons: ['livekit-server died: signal SIGKILL'] });
  let r = evaluateGate({ scenario: 'voice-2', runs: runs([runResult(), bad]), config, baseline: null });
  assert.deepEqual([r.verdict, r.exitCode, r.thresholds], ['invalid', 3, []]);
  assert.equal(r.skipped, 'not judged: run 2: invalid (livekit-server died: signal SIGKILL)');
  assert.deepEqual(r.planned.thresholds, ['perSession.cpuCores < 0.0001']);
  r = evaluateGate({ scenario: 'voice-2', runs: [{ label: 'run 1', dir: '/r', result: null, exitCode: 1 }], config, baseline: null });
  assert.deepEqual([r.verdict, r.exitCode], ['error', 1]);
  r = evaluateGate({ scenario: 'voice-2', runs: [{ label: 'run 1', dir: '/r', result: runResult({ interrupted: true, valid: false }), exitCode: 105 }], config, baseline: null });
  assert.deepEqual([r.verdict, r.exitCode], ['interrupted', 105]);
});

test('evaluateGate: unlike hosts and one run per side are warned about', () => {
  const other = runResult({ host: { ...runResult().host, cores: 8, cpuModel: 'Big CPU' } }, 0.08);
  const r = evaluateGate({ scenario: 'voice-2', runs: runs([other]), config: emptyConfig(), baseline: { file: 'b.json', data: baselineOf([0.08]) } });
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0]!, /unlike host \(cores 2 → 8 \(\+300 %\), CPU 'Test CPU 3000' → 'Big CPU'\)/);
  assert.match(r.warnings[1]!, /^one run on each side: no interval/);
});

test('renderJunit: a testcase per run, threshold and compared metric; failures and skips say why', () => {
  const config = { ...emptyConfig(), thresholds: parseThresholds(['perSession.cpuCores < 0.1', 'qos.vad.onsetLagMs.p95 < 250'], 'g.json') };
  const baseline = { file: 'b.json', data: baselineOf([0.08, 0.082, 0.078]) };
  const xml = renderJunit(evaluateGate({ scenario: 'voice-2', runs: runs([runResult({}, 0.12)]), config, baseline }));
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="voiceload gate: voice-2" tests="6" failures="2" errors="0" skipped="0">/);
  assert.match(xml, /<testcase classname="voiceload\.thresholds" name="perSession\.cpuCores &lt; 0\.1">\n {6}<failure message="perSession\.cpuCores = 0\.12 cores, not &lt; 0\.1"/);
  assert.match(xml, /<testcase classname="voiceload\.thresholds" name="qos\.vad\.onsetLagMs\.p95 &lt; 250">\n {6}<system-out>/);
  assert.match(xml, /<testcase classname="voiceload\.baseline" name="perSession\.cpuCores">\n {6}<failure message="regressed: change \+50\.0 %/);
  assert.match(xml, /<testcase classname="voiceload\.baseline" name="qos\.vad\.onsetLagMs\.p95">\n {6}<system-out>no significant change/);
  const invalid = renderJunit(evaluateGate({ scenario: 'voice-2', runs: runs([runResult({ valid: false, invalidReasons: ['2 of 2 <sessions> & more'] })]), config, baseline }));
  assert.match(invalid, /tests="6" failures="1" errors="0" skipped="5"/);
  assert.match(invalid, /<failure message="run 1 invalid" type="failure">\/r\/1: 2 of 2 &lt;sessions&gt; &amp; more<\/failure>/);
  assert.match(invalid, /name="perSession\.cpuCores &lt; 0\.1">\n {6}<skipped message="not judged: run 1: invalid/);
  assert.equal(xmlEscape('a"b\'c\u0001d'), 'a&quot;b&apos;cd');
});

test('renderMarkdown and renderTable: the verdict first, every check, the warnings', () => {
  const config = { ...emptyConfig(), thresholds: parseThresholds(['perSession.cpuCores < 0.1'], 'g.json') };
  const other = runResult({ host: { ...runResult().host, cores: 8 } }, 0.12);
  const report = evaluateGate({ scenario: 'voice-2', runs: runs([other, other]), config, baseline: { file: 'b.json', data: baselineOf([0.08, 0.082, 0.078]) } });
  const md = renderMarkdown(report);
  assert.match(md, /^## voiceload gate: ❌ fail \(exit 99\)\n/);
  assert.match(md, /\n> ⚠️ the baseline was measured on an unlike host \(cores 2 → 8/);
  assert.match(md, /\| ❌ \| `perSession\.cpuCores < 0\.1` \| median\(perSession\.cpuCores\) = 0\.12 cores \(of 2 runs: 0\.12, 0\.12\), not < 0\.1 \| g\.json: thresholds\[0\] \|/);
  assert.match(md, /\| ❌ \| `perSession\.cpuCores` \| 0\.08 cores \(3 runs\) \| 0\.12 cores \(2 runs\) \| \+50\.0 % \| \[/);
  assert.match(md, /- run 2: \*\*valid\*\* \(`\/r\/2`\)/);
  const table = renderTable(report);
  const lines = table.trimEnd().split('\n');
  assert.equal(lines[0], 'voiceload gate: voice-2, 2 runs vs b.json (3 runs): FAIL (exit 99)');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  assert.ok(lines.every((l) => l.length <= 110), 'fits a wide terminal');
  assert.ok(lines.some((l) => /^ {2}FAIL {2}perSession\.cpuCores < 0\.1 +0\.12 cores \(median of 2\)$/.test(l)), table);
  assert.ok(lines.some((l) => /^ {2}perSession\.cpuCores +0\.08 → 0\.12 cores +\+50\.0 % +\[.*\] +regressed$/.test(l)), table);
  assert.ok(lines.some((l) => /^ {2}perSession\.pssBytes +120\.0 → 120\.0 MB +±0\.0 % /.test(l)), table);
});

test('evaluateGate: an interval that straddles the tolerance is inconclusive — never a pass mark; --fail-on-inconclusive exits 99', () => {
  // CPU 10, 11, 12 → 12, 13, 14 (+18 %, interval −2 % … +39 %) against the default 10 % tolerance.
  const baseline = { file: 'b.json', data: buildBaseline([10, 11, 12].map((c, i) => ({ result: runResult({}, c), source: `/b/${i}` })), new Date(0)) };
  const config = { ...emptyConfig(), compare: ['perSession.cpuCores' as const] };
  const current = runs([12, 13, 14].map((c) => runResult({}, c)));
  let r = evaluateGate({ scenario: 'voice-2', runs: current, config, baseline });
  assert.deepEqual([r.verdict, r.exitCode, r.failures], ['inconclusive', 0, []]);
  assert.equal(r.comparisons[0]?.verdict, 'inconclusive');
  assert.match(r.inconclusive[0] ?? '', /^perSession\.cpuCores: inconclusive: the interval reaches past the tolerance on the worse side/);
  const md = renderMarkdown(r);
  assert.match(md, /^## voiceload gate: ⚠️ inconclusive \(exit 0\)\n/);
  assert.match(md, /\| ⚠️ \| `perSession\.cpuCores` \|.*\*\*inconclusive\*\*/);
  assert.ok(!md.includes('✅'), md);
  assert.match(renderTable(r), /^voiceload gate: voice-2, 3 runs vs b\.json \(3 runs\): INCONCLUSIVE \(exit 0\)\n/);
  assert.match(renderJunit(r), /name="perSession\.cpuCores">\n {6}<skipped message="inconclusive: change \+18\.2 %/);
  r = evaluateGate({ scenario: 'voice-2', runs: current, config, baseline, failOnInconclusive: true });
  assert.deepEqual([r.verdict, r.exitCode], ['inconclusive', 99]);
  assert.match(renderJunit(r), /name="perSession\.cpuCores">\n {6}<failure message="inconclusive: change \+18\.2 %/);
  // Tone gaps 0, 0, 0 → 1, 2, 3: the interval runs from −∞ to +∞, inconclusive too; a threshold on them fails.
  const gaps = (n: number) => runResult({ qos: { ...runResult().qos, agentAudio: { ...runResult().qos.agentAudio, gapsOver100ms: n } } });
  const gapBase = { file: 'b.json', data: buildBaseline([0, 0, 0].map((n, i) => ({ result: gaps(n), source: `/b/${i}` })), new Date(0)) };
  r = evaluateGate({
    scenario: 'voice-2', runs: runs([1, 2, 3].map(gaps)), baseline: gapBase,
    config: { ...emptyConfig(), compare: ['qos.agentAudio.gapsOver100ms' as const], thresholds: parseThresholds(['qos.agentAudio.gapsOver100ms == 0'], 'g.json') },
  });
  assert.equal(r.comparisons[0]?.verdict, 'inconclusive');
  assert.deepEqual([r.verdict, r.exitCode], ['fail', 99]);
  assert.deepEqual(r.failures, ["threshold 'qos.agentAudio.gapsOver100ms == 0': max(qos.agentAudio.gapsOver100ms) = 3 (of 3 runs: 1, 2, 3), not == 0"]);
});
