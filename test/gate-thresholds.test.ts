/** The gate's metric names, threshold parser and evaluator, table by table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../harness/common/errors.js';
import { isMetric, METRIC_NAMES, METRICS, readMetric, suggestMetrics, type MetricPath } from '../harness/results/metrics.js';
import { evaluateThreshold, holds } from '../harness/gate/thresholds.js';
import { parseThreshold, parseThresholds, type Op } from '../harness/scenario/thresholds.js';
import { validateScenario } from '../harness/scenario/schema.js';
import { runResult } from './support/run-result.js';

/** Every number/boolean leaf of a JSON value, by dotted path, never into arrays. */
function leaves(v: unknown, prefix = ''): string[] {
  if (typeof v === 'number' || typeof v === 'boolean') return [prefix];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

function usage(fn: () => unknown, want: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  assert.ok(!caught.message.includes('\n'), `more than one line: ${caught.message}`);
  if (typeof want === 'string') assert.equal(caught.message, want);
  else assert.match(caught.message, want);
}

test('metrics: the catalogue is exactly the number and boolean leaves of a full results.json', () => {
  const fromJson = leaves(JSON.parse(JSON.stringify(runResult()))).filter((p) => p !== 'schemaVersion').sort();
  assert.deepEqual([...METRIC_NAMES].sort(), fromJson);
  for (const name of METRIC_NAMES) {
    const v = readMetric(runResult(), name);
    assert.equal(typeof v, METRICS[name].type, name);
  }
  assert.ok(!isMetric('steps'), 'arrays are not metrics');
  assert.ok(!isMetric('perSession.basis'), 'strings are not metrics');
  assert.ok(!isMetric('schemaVersion'));
  assert.ok(!isMetric('toString'), 'no inherited names');
});

test('metrics: readMetric gives null under a null object and for a null leaf', () => {
  const r = runResult({ roles: null });
  r.qos.vad.onsetLagMs.p95 = null;
  assert.equal(readMetric(r, 'roles.agents.cpuCores.p95'), null);
  assert.equal(readMetric(r, 'qos.vad.onsetLagMs.p95'), null);
  assert.equal(readMetric(runResult({ confinement: undefined }), 'confinement.cpuCores'), null);
  assert.equal(readMetric(r, 'valid'), true);
  assert.equal(readMetric(r, 'perSession.cpuCores'), 0.08);
});

test('metrics: a wrong name is answered with what its prefix has', () => {
  const table: Array<[string, string]> = [
    ['qos.vad.onsetLagMs.p99', 'qos.vad.onsetLagMs has: p50, p95, p50Censored, p95Censored'],
    ['perSession.cpu', 'perSession has: cpuCores, pssBytes, rssBytes'],
    ['roles.agent.cpuCores.p95', 'roles has: agents.…, generator.…, server.…, harness.…'],
    ['roles.agents.cpu.p95', 'roles.agents has: cpuCores.…, rssBytes.…, pssBytes.…, samples'],
    ['qos.vad.onsetLag.p95', 'qos.vad has: segmentsExpected, segmentsDetected, onsetLagMs.…, inferMs.…'],
  ];
  for (const [name, want] of table) assert.equal(suggestMetrics(name), want, name);
  assert.match(suggestMetrics('cpu'), /^metrics start with: valid, interrupted, durationS, host\.…, target\.…, sessions\.…, window\.…, roles\.…, /);
});

test('parseThreshold: each operator, numbers of every form, booleans', () => {
  const table: Array<[string, MetricPath, Op, number | boolean]> = [
    ['perSession.cpuCores < 0.15', 'perSession.cpuCores', '<', 0.15],
    ['perSession.cpuCores<=0.15', 'perSession.cpuCores', '<=', 0.15],
    ['  sessions.joined > 1  ', 'sessions.joined', '>', 1],
    ['sessions.joined >= 2', 'sessions.joined', '>=', 2],
    ['qos.agentAudio.gapsOver100ms == 0', 'qos.agentAudio.gapsOver100ms', '==', 0],
    ['qos.agentAudio.gapsOver100ms != 3', 'qos.agentAudio.gapsOver100ms', '!=', 3],
    ['qos.vad.onsetLagMs.p95 < 250', 'qos.vad.onsetLagMs.p95', '<', 250],
    ['qos.vad.onsetLagMs.p50 > -150', 'qos.vad.onsetLagMs.p50', '>', -150],
    ['qos.publishLateMs.p99 < 2e1', 'qos.publishLateMs.p99', '<', 20],
    ['roles.agents.cpuCores.p95 < .5', 'roles.agents.cpuCores.p95', '<', 0.5],
    ['roles.server.pssBytes.max < 104857600', 'roles.server.pssBytes.max', '<', 104857600],
    ['valid == true', 'valid', '==', true],
    ['interrupted != true', 'interrupted', '!=', true],
    ['qos.agentAudio.toneOk == false', 'qos.agentAudio.toneOk', '==', false],
  ];
  for (const [line, metric, op, value] of table) {
    const t = parseThreshold(line, 'g.json: thresholds[0]');
    // Counts with a better side default to their worst run (gaps: max; joined sessions: min).
    const worst: Record<string, string> = { 'qos.agentAudio.gapsOver100ms': 'max', 'sessions.joined': 'min' };
    const stat = typeof value === 'boolean' ? null : worst[metric] ?? 'median';
    assert.deepEqual(t, { text: line.trim(), metric, op, value, stat, source: 'g.json: thresholds[0]' }, line);
  }
});

test('parseThreshold: unknown names, malformed lines and type mismatches are one line naming the file and key', () => {
  const w = 'gate.json: thresholds[2]';
  const table: Array<[unknown, string | RegExp]> = [
    ['qos.vad.onsetLagMs.p99 < 250', `${w}: 'qos.vad.onsetLagMs.p99 < 250': 'qos.vad.onsetLagMs.p99' is not a metric of results.json; qos.vad.onsetLagMs has: p50, p95, p50Censored, p95Censored`],
    ['perSesion.cpuCores < 0.15', /^gate\.json: thresholds\[2\]: 'perSesion\.cpuCores < 0\.15': 'perSesion\.cpuCores' is not a metric of results\.json; metrics start with: /],
    ['steps < 3', /'steps' is not a metric of results\.json/],
    ['perSession.basis == 1', /'perSession\.basis' is not a metric of results\.json; perSession has: cpuCores, pssBytes, rssBytes/],
    ['perSession.cpuCores 0.15', `${w}: 'perSession.cpuCores 0.15': not a threshold; write '<metric> <op> <value>' or '<median|max|min|mean>(<metric>) <op> <value>' with op one of <= >= == != < >, e.g. 'perSession.cpuCores < 0.15'`],
    ['perSession.cpuCores = 0.15', /not a threshold; write/],
    ['perSession.cpuCores =< 0.15', /not a threshold; write/],
    ['perSession.cpuCores < ', /not a threshold; write/],
    ['< 0.15', /not a threshold; write/],
    ['', /not a threshold; write/],
    ['perSession.cpuCores < 0.15 0.2', /not a threshold; write/],
    ['perSession.cpuCores < abc', `${w}: 'perSession.cpuCores < abc': 'abc' is not a number; 'perSession.cpuCores' is a number (in cores): write it bare, e.g. 'perSession.cpuCores < 10'`],
    ['qos.vad.onsetLagMs.p95 < 250ms', /'250ms' is not a number; 'qos\.vad\.onsetLagMs\.p95' is a number \(in ms\)/],
    ['sessions.joined == two', /'two' is not a number; 'sessions\.joined' is a number: write it bare/],
    ['sessions.joined == true', /'true' is not a number/],
    ['perSession.cpuCores < 1,5', /'1,5' is not a number/],
    ['valid < 1', `${w}: 'valid < 1': 'valid' is true or false: use == or !=`],
    ['valid == 1', `${w}: 'valid == 1': 'valid' is true or false, got '1'`],
    ['valid == yes', /'valid' is true or false, got 'yes'/],
    [42, `${w}: a threshold must be a string like "perSession.cpuCores < 0.15", got 42`],
    [null, /a threshold must be a string/],
  ];
  for (const [line, want] of table) usage(() => parseThreshold(line, w), want);
});

test('parseThresholds: the index of the bad entry is named; not a list is named', () => {
  usage(() => parseThresholds(['valid == true', 'nope < 1'], 'g.json'), /^g\.json: thresholds\[1\]: 'nope < 1': 'nope' is not a metric/);
  usage(() => parseThresholds('valid == true', 'g.json'), `g.json: 'thresholds' must be a list of strings like "perSession.cpuCores < 0.15"`);
  assert.deepEqual(parseThresholds(undefined, 'g.json'), []);
});

test('holds: every operator on both sides of its boundary', () => {
  const table: Array<[number, Op, number, boolean]> = [
    [1, '<', 2, true], [2, '<', 2, false], [3, '<', 2, false],
    [1, '<=', 2, true], [2, '<=', 2, true], [3, '<=', 2, false],
    [1, '>', 2, false], [2, '>', 2, false], [3, '>', 2, true],
    [1, '>=', 2, false], [2, '>=', 2, true], [3, '>=', 2, true],
    [2, '==', 2, true], [1, '==', 2, false],
    [2, '!=', 2, false], [1, '!=', 2, true],
  ];
  for (const [a, op, b, want] of table) assert.equal(holds(a, op, b), want, `${a} ${op} ${b}`);
});

test('evaluateThreshold: one run, each operator, pass and fail messages', () => {
  const t = (line: string) => parseThreshold(line, 'f');
  const table: Array<[string, Array<number | boolean | null>, boolean, string]> = [
    ['perSession.cpuCores < 0.15', [0.08], true, 'perSession.cpuCores = 0.08 cores < 0.15'],
    ['perSession.cpuCores < 0.15', [0.15], false, 'perSession.cpuCores = 0.15 cores, not < 0.15'],
    ['perSession.cpuCores <= 0.15', [0.15], true, 'perSession.cpuCores = 0.15 cores <= 0.15'],
    ['sessions.joined >= 2', [1], false, 'sessions.joined = 1, not >= 2'],
    ['sessions.joined > 1', [2], true, 'sessions.joined = 2 > 1'],
    ['qos.agentAudio.gapsOver100ms == 0', [0], true, 'qos.agentAudio.gapsOver100ms = 0 == 0'],
    ['qos.agentAudio.gapsOver100ms != 0', [0], false, 'qos.agentAudio.gapsOver100ms = 0, not != 0'],
    ['qos.vad.onsetLagMs.p95 < 250', [180], true, 'qos.vad.onsetLagMs.p95 = 180 ms < 250'],
    ['qos.vad.onsetLagMs.p95 < 250', [null], false, 'qos.vad.onsetLagMs.p95 was null (not measured) in run 1 of 1: the threshold cannot pass'],
    ['perSession.pssBytes < 104857600', [125829120], false, 'perSession.pssBytes = 120.0 MB, not < 104857600'],
    ['valid == true', [true], true, 'valid == true'],
    ['valid == true', [false], false, 'valid was false, not == true'],
    ['interrupted != true', [false], true, 'interrupted != true'],
  ];
  for (const [line, values, pass, message] of table) {
    const o = evaluateThreshold(t(line), values);
    assert.equal(o.pass, pass, line);
    assert.equal(o.message, message, line);
  }
});

test('evaluateThreshold: several runs — numbers by the median, booleans in every run, a null anywhere fails', () => {
  const t = (line: string) => parseThreshold(line, 'f');
  // Median of 0.2, 0.1, 0.12 is 0.12: one slow run does not fail the gate alone.
  let o = evaluateThreshold(t('perSession.cpuCores < 0.15'), [0.2, 0.1, 0.12]);
  assert.equal(o.pass, true);
  assert.equal(o.observed, 0.12);
  assert.equal(o.message, 'median(perSession.cpuCores) = 0.12 cores (of 3 runs: 0.2, 0.1, 0.12) < 0.15');
  // An even count: the mean of the middle two, (0.14 + 0.18) / 2 = 0.16.
  o = evaluateThreshold(t('perSession.cpuCores < 0.15'), [0.1, 0.14, 0.18, 0.3]);
  assert.equal(o.pass, false);
  assert.ok(Math.abs((o.observed as number) - 0.16) < 1e-12);
  o = evaluateThreshold(t('valid == true'), [true, false, true]);
  assert.deepEqual([o.pass, o.observed, o.message], [false, false, 'valid was false in run 2 of 3, not == true']);
  o = evaluateThreshold(t('qos.agentAudio.toneOk == true'), [true, true]);
  assert.deepEqual([o.pass, o.message], [true, 'qos.agentAudio.toneOk == true in all 2 runs']);
  o = evaluateThreshold(t('qos.vad.onsetLagMs.p95 < 250'), [100, null, 120]);
  assert.deepEqual([o.pass, o.observed, o.message], [false, null, 'qos.vad.onsetLagMs.p95 was null (not measured) in run 2 of 3: the threshold cannot pass']);
  o = evaluateThreshold(t('sessions.joined == 2'), [2, true]);
  assert.equal(o.pass, false);
  assert.match(o.message, /was true, not a number in run 2 of 2/);
  assert.equal(evaluateThreshold(t('valid == true'), []).pass, false);
});

test('scenario files: thresholds are validated at load, naming the file and the entry', () => {
  const ok = validateScenario({ name: 'n', thresholds: ['valid == true', ' perSession.cpuCores < 0.15 '] }, 'scenarios/n.ts');
  assert.deepEqual(ok.thresholds, ['valid == true', 'perSession.cpuCores < 0.15']);
  assert.deepEqual(validateScenario({ name: 'n' }, 'scenarios/n.ts').thresholds, []);
  usage(
    () => validateScenario({ name: 'n', thresholds: ['valid == true', 'qos.vad.onsetLag.p95 < 250'] }, 'scenarios/n.ts'),
    /^scenarios\/n\.ts: thresholds\[1\]: 'qos\.vad\.onsetLag\.p95 < 250': 'qos\.vad\.onsetLag\.p95' is not a metric of results\.json; qos\.vad has: /,
  );
  usage(() => validateScenario({ name: 'n', thresholds: 'valid == true' }, 'scenarios/n.ts'), /'thresholds' must be a list/);
});

test('thresholds over several runs state their statistic; a QoS count defaults to the worst run', () => {
  const t = (line: string) => parseThreshold(line, 'f');
  // One run in three had gaps: the median (0) would pass it; the worst run (2) does not.
  let o = evaluateThreshold(t('qos.agentAudio.gapsOver100ms == 0'), [0, 2, 0]);
  assert.deepEqual([t('qos.agentAudio.gapsOver100ms == 0').stat, o.pass, o.observed], ['max', false, 2]);
  assert.equal(o.message, 'max(qos.agentAudio.gapsOver100ms) = 2 (of 3 runs: 0, 2, 0), not == 0');
  // A higher-is-better count defaults to its worst run too: the minimum.
  assert.equal(t('qos.agentAudio.sessionsHearingTone >= 2').stat, 'min');
  assert.equal(evaluateThreshold(t('qos.agentAudio.sessionsHearingTone >= 2'), [2, 1, 2]).pass, false);
  // Written out, the statistic is the one judged.
  o = evaluateThreshold(t('median(qos.agentAudio.gapsOver100ms) == 0'), [0, 2, 0]);
  assert.deepEqual([o.pass, o.message], [true, 'median(qos.agentAudio.gapsOver100ms) = 0 (of 3 runs: 0, 2, 0) == 0']);
  o = evaluateThreshold(t('max(perSession.cpuCores) < 0.15'), [0.2, 0.1, 0.12]);
  assert.deepEqual([o.pass, o.observed], [false, 0.2]);
  o = evaluateThreshold(t('mean(perSession.cpuCores) < 0.15'), [0.2, 0.1, 0.12]);
  assert.equal(o.pass, true);
  assert.equal(evaluateThreshold(t('min(perSession.cpuCores) < 0.15'), [0.2, 0.16, 0.17]).pass, false);
  // Non-count numbers keep the median; booleans take no statistic.
  assert.equal(t('perSession.cpuCores < 0.15').stat, 'median');
  assert.equal(t('valid == true').stat, null);
  assert.throws(() => t('max(valid) == true'), /must hold in every run: drop 'max/);
  assert.throws(() => t('p99(perSession.cpuCores) < 1'), /not a threshold/);
});
