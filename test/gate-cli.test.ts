/**
 * The gate and baseline commands through the real CLI, on finished runs (`--results`, `--from`):
 * exit codes, the files written, and bad input as one line with nothing written. No server runs
 * here; test/gate-e2e.test.ts runs the real thing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../harness/results/types.js';
import { runCli } from './support/cli.js';
import { runResult } from './support/run-result.js';
import { testDir } from './support/tmp.js';

const tmp = testDir('vl-gate-cli-');
const at = (...p: string[]) => path.join(tmp, ...p);

function resultsDir(name: string, r: RunResult): string {
  mkdirSync(at(name), { recursive: true });
  writeFileSync(at(name, 'results.json'), JSON.stringify(r));
  return at(name);
}
const json = (name: string, value: unknown) => {
  writeFileSync(at(name), JSON.stringify(value));
  return at(name);
};

const base = [0.08, 0.082, 0.078].map((c, i) => resultsDir(`base-${i}`, runResult({}, c)));
const same = [0.081, 0.079, 0.08].map((c, i) => resultsDir(`same-${i}`, runResult({}, c)));
const slow = [0.12, 0.121, 0.119].map((c, i) => resultsDir(`slow-${i}`, runResult({}, c)));
const noisy = [0.08, 0.095, 0.11].map((c, i) => resultsDir(`noisy-${i}`, runResult({}, c)));
const invalid = resultsDir('invalid', runResult({ valid: false, invalidReasons: ['1 of 2 sessions joined'] }));
const gate = json('gate.json', { thresholds: ['perSession.cpuCores < 0.15', 'valid == true'], tolerance: '10%' });

test('baseline save --from: writes the baseline, describing the host', async () => {
  const run = await runCli(['baseline', 'save', '--from', ...base, '--out', at('baseline.json')]);
  assert.equal(run.code, 0, run.stderr);
  const b = JSON.parse(readFileSync(at('baseline.json'), 'utf8')) as { scenario: string; runs: unknown[]; hostDescription: string; metrics: Record<string, number[]> };
  assert.equal(b.scenario, 'voice-2');
  assert.equal(b.runs.length, 3);
  assert.deepEqual(b.metrics['perSession.cpuCores'], [0.08, 0.082, 0.078]);
  assert.match(b.hostDescription, /^2 cores, 8\.0 GB, Test CPU 3000/);
  assert.match(run.stderr, /saved .*baseline\.json: voice-2, 3 runs on 2 cores/);
});

test('gate --results: no change passes (exit 0) and writes junit.xml, gate.md, gate.json', async () => {
  const out = at('out-pass');
  const run = await runCli(['gate', '--results', ...same, '--baseline', at('baseline.json'), '--gate', gate, '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['gate.json', 'gate.md', 'junit.xml']);
  assert.match(run.stdout, /^voiceload gate: voice-2, 3 runs vs .*baseline\.json \(3 runs\): PASS \(exit 0\)\n/);
  assert.match(readFileSync(path.join(out, 'junit.xml'), 'utf8'), /failures="0"/);
  assert.equal((JSON.parse(readFileSync(path.join(out, 'gate.json'), 'utf8')) as { exitCode: number }).exitCode, 0);
});

test('gate --results: a regression beyond the interval fails (exit 99), and JUnit says which', async () => {
  const out = at('out-slow');
  const run = await runCli(['gate', '--results', ...slow, '--baseline', at('baseline.json'), '--out', out, '--junit', at('slow-junit.xml')]);
  assert.equal(run.code, 99, run.stderr);
  const xml = readFileSync(at('slow-junit.xml'), 'utf8');
  assert.match(xml, /<testcase classname="voiceload\.baseline" name="perSession\.cpuCores">\n\s*<failure message="regressed/);
  assert.match(run.stdout, /perSession\.cpuCores: regressed/);
});

test('gate --results: an interval straddling the tolerance is INCONCLUSIVE, exit 0 — or 99 with --fail-on-inconclusive', async () => {
  // +18.8 % with a 95 % interval of about −27 % … +65 % against 10 %.
  let run = await runCli(['gate', '--results', ...noisy, '--baseline', at('baseline.json'), '--out', at('out-noisy')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /: INCONCLUSIVE \(exit 0\)\n/);
  assert.match(run.stdout, /perSession\.cpuCores .* inconclusive\n/);
  assert.match(readFileSync(at('out-noisy', 'gate.md'), 'utf8'), /^## voiceload gate: ⚠️ inconclusive \(exit 0\)/);
  run = await runCli(['gate', '--results', ...noisy, '--baseline', at('baseline.json'), '--out', at('out-noisy-strict'), '--fail-on-inconclusive']);
  assert.equal(run.code, 99, run.stderr);
  assert.match(run.stdout, /: INCONCLUSIVE \(exit 99\)\n/);
  assert.match(readFileSync(at('out-noisy-strict', 'junit.xml'), 'utf8'), /name="perSession\.cpuCores">\n\s*<failure message="inconclusive/);
});

test('gate --results: an invalid run exits 3 and is not judged', async () => {
  const run = await runCli(['gate', '--results', invalid, '--gate', gate, '--out', at('out-invalid')]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stdout, /not judged: run 1: invalid \(1 of 2 sessions joined\)/);
});

test('bad input: one line naming the file and key, exit 2, nothing written', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['gate', '--results', same[0]!, '--gate', json('typo.json', { thresholds: ['valid == true', 'qos.vad.onsetLagMs.p99 < 250'] })],
      /^voiceload: .*typo\.json: thresholds\[1\]: 'qos\.vad\.onsetLagMs\.p99 < 250': 'qos\.vad\.onsetLagMs\.p99' is not a metric of results\.json; qos\.vad\.onsetLagMs has: p50, p95, p50Censored, p95Censored\n$/],
    [['gate', '--results', same[0]!, '--gate', json('key.json', { thresholds: [], tolerence: 0.1 })], /^voiceload: .*key\.json: unknown key 'tolerence'; known keys: /],
    [['gate', '--results', same[0]!, '--gate', at('missing.json')], /^voiceload: --gate .*missing\.json: cannot read it/],
    [['gate', '--results', at('nowhere')], /^voiceload: --results .*nowhere: no results\.json there/],
    [['gate', '--results', same[0]!, '--baseline', gate], /^voiceload: .*gate\.json: not a voiceload baseline/],
    [['gate', '--results', same[0]!, '--duration', '30s'], /^voiceload: --duration: has no effect with --results/],
    [['gate', '--results', same[0]!, '--runs', '3'], /^voiceload: --runs has no effect with --results/],
    [['gate', 'voice-30', '--baseline', at('baseline.json')], /^voiceload: --baseline .*: it is a baseline of 'voice-2', this gate runs 'voice-30'\n$/],
    [['gate', 'voice-2', '--sessions', '3', '--baseline', at('baseline.json')], /measured at 2 sessions, this gate runs 3/],
    [['gate', 'voice-2', '--runs', 'x'], /^voiceload: --runs: 'x' must be a whole number from 1 to 20\n$/],
    [['gate', 'voice-2', '--tolerance', 'lots'], /^voiceload: --tolerance: "lots" is not a tolerance/],
    [['gate', 'nosuch'], /^voiceload: unknown scenario 'nosuch'/],
    [['gate'], /^voiceload: gate: name a scenario/],
    [['baseline', 'load'], /^voiceload: baseline: unknown subcommand 'load'/],
    [['baseline', 'save', '--from', same[0]!, slow[0]!.replace('slow-0', 'nope')], /no results\.json there/],
  ];
  const before = readdirSync(tmp).sort();
  for (const [args, want] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, want, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.stdout, '');
  }
  const written = readdirSync(tmp).sort().filter((f) => !before.includes(f) && !['typo.json', 'key.json'].includes(f));
  assert.deepEqual(written, []);
});

test('baseline save: an invalid run saves nothing and exits 3', async () => {
  const run = await runCli(['baseline', 'save', '--from', base[0]!, invalid, '--out', at('never.json')]);
  assert.equal(run.code, 3, run.stderr);
  assert.equal(existsSync(at('never.json')), false);
  assert.match(run.stderr, /no baseline saved: not judged: run 2: invalid \(1 of 2 sessions joined\)/);
});

test('gate, baseline and report read results.json alike: a schemaVersion 1 file missing a field is exit 2 naming it', async () => {
  const bare = resultsDir('bare-v1', { schemaVersion: 1 } as unknown as RunResult);
  const { perSession: _dropped, ...rest } = runResult({}, 0.08);
  const noPerSession = resultsDir('no-per-session', rest as unknown as RunResult);
  const runs: Array<[string[], RegExp]> = [
    [['gate', '--results', bare], /results\.json: not a voiceload result: scenario: Required/],
    [['baseline', 'save', '--from', bare, '--out', at('never-bare.json')], /results\.json: not a voiceload result: scenario: Required/],
    [['report', bare], /results\.json: not a voiceload result: scenario: Required/],
    [['gate', '--results', noPerSession], /results\.json: not a voiceload result: perSession: Required/],
  ];
  for (const [args, want] of runs) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, want, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});
