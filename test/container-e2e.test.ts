/**
 * The image, for real: built from the Dockerfile on local bases, it runs voice-2 inside a container
 * started with `--cpus 1 --memory 2g --network none`, and the run measures the container: its host
 * is the container's cgroup limits, and with the target set to those limits the report says the
 * target was measured. Asserts behaviour (valid, everyone joined, VAD found the speech), never speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import { invalidReasonsIn, retryOnHostLoad, runCli } from './support/cli.js';
import { buildImages, IMAGE, podman, WORKER_IMAGE } from './support/podman.js';

const GIB = 1024 ** 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-container-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(buildImages, { timeout: 1_800_000 });

/** `podman run` of the harness image as the docs say to run it: the limits, the run's network rules, SYS_NICE. */
function runInImage(extra: string[], args: string[]) {
  return podman(['run', '--rm', '--network', 'none', '--cap-add', 'NET_ADMIN', '--cap-add', 'SYS_NICE', '-v', `${dir}:/out`, ...extra, IMAGE, ...args], 420_000);
}

let r: RunResult;

test('voice-2 in the image with --cpus 1 --memory 2g: a valid run that measured the container', { timeout: 960_000 }, async (t) => {
  const inImage = () => {
    rmSync(path.join(dir, 'voice-2'), { recursive: true, force: true });
    return runInImage(['--cpus', '1', '--memory', '2g'], ['scenario', 'voice-2', '--target', '1c2g', '--out', '/out/voice-2']);
  };
  const ran = await retryOnHostLoad(inImage, () => invalidReasonsIn(path.join(dir, 'voice-2')), (m) => t.diagnostic(m));
  assert.ok(ran.code === 0, `exit ${ran.code}\n${ran.stdout.slice(-3000)}\n${ran.stderr.slice(-3000)}`);
  r = JSON.parse(readFileSync(path.join(dir, 'voice-2', 'results.json'), 'utf8')) as RunResult;
  assert.equal(r.valid, true, r.invalidReasons.join('; '));
  assert.deepEqual(r.sessions, { requested: 2, joined: 2 });
  assert.ok(r.qos.vad.segmentsDetected > 0, 'VAD found none of the fixture\'s speech');
});

test("the run's host is the container's limits, the machine's size kept beside them", () => {
  assert.equal(r.host.cores, 1);
  assert.equal(r.host.memoryBytes, 2 * GIB);
  assert.ok(r.host.limits, 'no limits in results.json host');
  assert.equal(r.host.limits.cpuCores, 1);
  assert.equal(r.host.limits.memoryBytes, 2 * GIB);
  assert.ok(r.host.limits.machine.memoryBytes > 2 * GIB);
  assert.equal(r.confinement ?? null, null, 'the agents should not need a cgroup of their own: the container is the target');
});

test("system CPU and memory are the container's cgroup, within its limits; the clock threads at nice -20 with SYS_NICE", () => {
  const samples = readFileSync(path.join(dir, 'voice-2', 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);
  assert.ok(samples.length >= 20, `${samples.length} samples`);
  for (const s of samples) {
    assert.deepEqual([s.system.cpuSource, s.system.cpuTicks?.cpus, s.system.memSource, s.system.memTotalBytes], ['cgroup', 1, 'cgroup', 2 * GIB], `sample at ${s.elapsedMs} ms`);
    assert.ok(s.system.memUsedBytes > 0 && s.system.memUsedBytes <= 2 * GIB, `memory ${s.system.memUsedBytes} at ${s.elapsedMs} ms`);
  }
  assert.deepEqual(r.system?.scope, { cpu: 'cgroup', memory: 'cgroup' });
  // Started with --cap-add SYS_NICE, as the docs say: the generator raised its clock threads.
  assert.deepEqual([...new Set(r.qos.generatorClockNice)], [-20]);
  // The kernel's quota caps the cgroup at 1 core per period; 5 % allows for the sampler's own timing.
  assert.ok((r.system?.cpuCores.mean ?? 2) <= 1.05, `the container used ${r.system?.cpuCores.mean} cores under a 1-core limit`);
});

test('limits equal to the target: the report says measured, not extrapolated', () => {
  const sizing = readFileSync(path.join(dir, 'voice-2', 'sizing.md'), 'utf8');
  assert.match(sizing, /measured: the agents ran unconfined on a host of 1 cores, 2\.0 GB \(a container's cgroup-v[12] limits/);
  assert.doesNotMatch(sizing, /extrapolated: the agents ran/);
});

test('inside the container the traffic stayed in its own namespace: candidates only on the run\'s veth pair or loopback', () => {
  assert.equal(r.network.mode, 'netns');
  assert.deepEqual(r.network.allowedAddrs, ['198.18.0.1', '198.18.0.2']);
  assert.ok(r.network.candidateAddresses.length > 0);
  for (const a of r.network.candidateAddresses) assert.ok(a === '127.0.0.1' || r.network.allowedAddrs.includes(a), a);
});

test('bad input is refused before any work: a run in a container without NET_ADMIN exits 2 naming the fix', { timeout: 120_000 }, async () => {
  const noCap = await podman(['run', '--rm', '--network', 'none', IMAGE, 'scenario', 'voice-2']);
  assert.equal(noCap.code, 2, noCap.stderr);
  assert.match(noCap.stderr, /--cap-add NET_ADMIN/);
});

test('--worker-container: the worker image runs beside the harness with the target limits, measured by its cgroup', { timeout: 480_000 }, async () => {
  const out = path.join(dir, 'worker-container');
  const ran = await runCli(['scenario', 'voice-2', '--worker-container', WORKER_IMAGE, '--target', '1c2g', '--out', out]);
  assert.ok(ran.code === 0 || ran.code === 3, `exit ${ran.code}\n${ran.stderr.slice(-3000)}`);
  const w = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  assert.deepEqual(w.sessions, { requested: 2, joined: 2 }, w.invalidReasons.join('; '));
  assert.ok(w.qos.vad.segmentsDetected > 0, 'VAD found none of the fixture\'s speech');
  assert.equal(w.workers?.workers, 1);
  assert.ok((w.roles?.agents.cpuCores.mean ?? 0) > 0, 'the agents role (the container processes) used no CPU');
  const m = /worker 0: ([\d.]+) cores on average over (\d+) s, memory peak (\d+) MiB/.exec(w.perSession.basis);
  assert.ok(m, w.perSession.basis);
  assert.ok(Number(m[1]) > 0 && Number(m[1]) <= 1.05, `the container used ${m[1]} cores under a 1-core limit`);
  assert.ok(Number(m[3]) > 50 && Number(m[3]) <= 2048, `memory peak ${m[3]} MiB`);
  assert.match(w.perSession.basis, /container of localhost\/voiceload-worker:test limited to 1 cores \/ 2048 MiB/);
  assert.equal((await podman(['ps', '-a', '--filter', 'name=worker-0', '--format', '{{.Names}}'])).stdout.trim(), '', 'a worker container was left behind');
});
