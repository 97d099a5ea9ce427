/**
 * End to end, for real: the CLI runs the small scenario against a local livekit-server inside a
 * private network namespace, with real rtc-node participants and the real Silero model.
 * Asserts behaviour (joins, VAD accuracy, the tone, sampling, the report), never speed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import { invalidReasonsIn, leftoverNamespaces, retryOnHostLoad, runCli, runProcesses } from './support/cli.js';
import { testDir } from './support/tmp.js';

const out = path.join(testDir('vl-e2e-'), 'report');
let run: Awaited<ReturnType<typeof runCli>>;

test('voice-2 runs end to end and exits 0', { timeout: 480_000 }, async (t) => {
  const voice2 = () => {
    rmSync(out, { recursive: true, force: true });
    return runCli(['scenario', 'voice-2', '--out', out]);
  };
  run = await retryOnHostLoad(voice2, () => invalidReasonsIn(out), (m) => t.diagnostic(m));
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
  assert.deepEqual(readdirSync(out).sort(), ['charts', 'k8s', 'report.html', 'results.json', 'samples.jsonl', 'server.log', 'sizing.md', 'summary.md']);
  assert.deepEqual(readdirSync(path.join(out, 'charts')).sort(), ['cost-vs-sessions.svg', 'cpu-memory.svg', 'quality-vs-sessions.svg', 'system-cpu.svg']);
  assert.match(readFileSync(path.join(out, 'sizing.md'), 'utf8'), /^# Worker sizing: voice-2 → 4c8g\n[^]*## The answer\n/);
});

/** `text` as a regular expression that matches it literally. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const result = (): RunResult => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;

test('every agent and user joined, against a real local server in a private namespace', () => {
  const r = result();
  assert.equal(r.valid, true, r.invalidReasons.join('; '));
  assert.deepEqual(r.sessions, { requested: 2, joined: 2 });
  assert.equal(r.server.mode, 'local');
  assert.match(r.server.version ?? '', /^1\.13\.5$/);
  assert.equal(r.network.mode, 'netns');
});

test('ICE candidates are only loopback or the private namespace addresses', () => {
  const r = result();
  assert.ok(r.network.candidateAddresses.length > 0, 'no candidates were reported');
  for (const addr of r.network.candidateAddresses) {
    assert.ok(/^127\./.test(addr) || addr === '::1' || r.network.allowedAddrs.includes(addr), `foreign candidate ${addr}`);
  }
});

test('VAD found at least 90 % of the speech segments with onset lag p95 under 300 ms', () => {
  const { vad } = result().qos;
  assert.ok(vad.segmentsExpected >= 4, `expected segments: ${vad.segmentsExpected}`);
  assert.ok(vad.segmentsDetected >= 0.9 * vad.segmentsExpected, `${vad.segmentsDetected}/${vad.segmentsExpected}`);
  assert.ok(vad.onsetLagMs.p95 !== null && vad.onsetLagMs.p95 < 300, `onset lag p95 ${vad.onsetLagMs.p95}`);
});

test("each user heard the agent's tone with no gap over 200 ms", () => {
  const { agentAudio } = result().qos;
  assert.equal(agentAudio.toneOk, true);
  assert.equal(agentAudio.sessionsHearingTone, 2);
  assert.ok(agentAudio.framesReceived > 0);
  assert.ok((agentAudio.maxGapMs ?? 0) <= 200, `max gap ${agentAudio.maxGapMs} ms`);
});

test('every role has a sample every second', () => {
  const samples = readFileSync(path.join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);
  assert.ok(samples.length >= 25, `only ${samples.length} samples in a 30 s run`);
  for (let i = 1; i < samples.length; i++) {
    const gap = samples[i]!.t - samples[i - 1]!.t;
    assert.ok(gap <= 1500, `gap of ${gap} ms before sample ${i}`);
  }
  const joined = samples.filter((s) => s.activeSessions === 2);
  assert.ok(joined.length >= 15);
  for (const s of joined) {
    for (const role of ['agents', 'generator', 'server', 'harness'] as const) {
      assert.ok(s.roles[role].processes >= 1, `${role} has no process at ${s.elapsedMs} ms`);
      assert.ok(s.roles[role].rssBytes > 0, `${role} has no memory at ${s.elapsedMs} ms`);
    }
  }
});

test('results.json has the documented fields', () => {
  const r = result() as unknown as Record<string, any>;
  for (const key of ['schemaVersion', 'scenario', 'valid', 'invalidReasons', 'host', 'target', 'server', 'sessions', 'roles', 'perSession', 'qos']) {
    assert.ok(key in r, `missing ${key}`);
  }
  assert.equal(r.schemaVersion, 1);
  assert.ok(r.host.cores > 0 && r.host.memoryBytes > 0 && r.target.cores === 4);
  for (const role of ['agents', 'generator', 'server']) {
    const s = r.roles[role];
    for (const k of ['mean', 'p95', 'max']) assert.equal(typeof s.cpuCores[k], 'number', `${role}.cpuCores.${k}`);
    for (const k of ['mean', 'max']) assert.ok(s.rssBytes[k] > 0 && s.pssBytes[k] > 0, `${role} memory ${k}`);
  }
  assert.ok(r.perSession.cpuCores > 0 && r.perSession.pssBytes > 0);
  // Where the agents ran is said when they were confined or partitioned (", agents on CPU 1 of their own (…),").
  // The CPU model is the host's own text and may hold parentheses ("Intel(R) Xeon(R) Processor").
  const host = `${r.host.cores} cores, [\\d.]+ GB, ${escapeRegExp(r.host.cpuModel)}`;
  assert.match(r.perSession.basis, new RegExp(`^measured on this host \\(${host}\\)(, agents (on CPU|inside) .+\\),)? over samples from [\\d.]+ s to [\\d.]+ s`));
  assert.match(r.perSession.basis, /divided by the mean number of active sessions \(2\)/);
  assert.equal(typeof r.qos.publishLateMs.p50, 'number');
  assert.equal(typeof r.qos.publishLateMs.p99, 'number');
});

test('no process of the run is left behind', () => {
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
});
