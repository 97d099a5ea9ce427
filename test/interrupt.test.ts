/**
 * Ctrl-C mid-run, as a terminal sends it: SIGINT to the whole process group. The run must stop its
 * users, agents and server, write a partial report marked invalid, exit 105, and leave nothing behind.
 * The target is smaller than this host (1 core), so the agents run in a cgroup of that size: the
 * cgroup must be recorded and gone afterwards too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../harness/results/types.js';
import { leftoverNamespaces, runProcesses, startCli, untilLive } from './support/cli.js';
import { testDir } from './support/tmp.js';

/** Starts voice-2 (1-core target, so the agents get a cgroup) and resolves once `samples` samples had both sessions live. */
async function startLive(samples: number): Promise<{ out: string; run: ReturnType<typeof startCli> }> {
  const out = path.join(testDir('vl-int-'), 'report');
  const run = startCli(['scenario', 'voice-2', '--duration', '120s', '--target', '1c4g', '--out', out]);
  const file = path.join(out, 'samples.jsonl');
  await untilLive(run.proc, file, 2, samples, 240);
  return { out, run };
}

test('SIGINT mid-run: partial report, exit 105, no process left', { timeout: 180_000 }, async () => {
  // Wait until both sessions are live and sampled a few times, then interrupt.
  const { out, run } = await startLive(5);
  process.kill(-run.proc.pid!, 'SIGINT');
  const done = await run.done;
  assert.equal(done.code, 105, done.stderr);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  assert.equal(r.valid, false);
  assert.equal(r.interrupted, true);
  assert.ok(r.invalidReasons.includes('interrupted'), r.invalidReasons.join('; '));
  assert.equal(r.sessions.joined, 2);
  assert.ok(r.durationS < 100, `the run went on for ${r.durationS} s after the interrupt`);
  assert.ok(existsSync(path.join(out, 'summary.md')));
  if (cpus().length > 1) {
    assert.equal(r.confinement?.cpuCores, 1, 'the agents were not confined to the 1-core target');
    assert.equal(existsSync(r.confinement.path), false, `cgroup ${r.confinement.path} left behind`);
  }
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
});

/** Our cgroups (voiceload-<run id> or voiceload-<harness pid>-…) still present under any controller. */
function leftoverCgroups(): string[] {
  try {
    const out = execFileSync('find', ['/sys/fs/cgroup', '-maxdepth', '4', '-type', 'd', '-name', 'voiceload-*'], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test('a second SIGINT stops at once: exit 105 within seconds, no process, namespace or cgroup left', { timeout: 180_000 }, async () => {
  const { run } = await startLive(3);
  process.kill(-run.proc.pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  const secondAt = performance.now();
  process.kill(-run.proc.pid!, 'SIGINT');
  const done = await run.done;
  const tookMs = performance.now() - secondAt;
  assert.equal(done.code, 105, done.stderr);
  assert.match(done.stderr, /SIGINT again: stopping at once/);
  assert.ok(tookMs < 8000, `the second SIGINT took ${tookMs.toFixed(0)} ms to end the run`);
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
  assert.deepEqual(leftoverCgroups(), []);
});

/** Our cgroups (voiceload-<harness pid>-…) in the cpuset hierarchy, by harness pid. */
function partitionGroups(): string[] {
  const root = '/sys/fs/cgroup/cpuset';
  return existsSync(root) ? readdirSync(root).filter((d) => /^voiceload-\d+-/.test(d)) : [];
}

/** The local server's private config folders (they hold its API secret) in the temp folder. */
function serverConfigDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((d) => d.startsWith('voiceload-server-'));
}

test('the harness crashes (SIGKILL) mid-run: its cgroups, processes and namespace are removed all the same, and no secret stays on disk', { timeout: 180_000, skip: cpus().length < 2 || process.getuid?.() !== 0 || !existsSync('/sys/fs/cgroup/cpuset/cpuset.cpus') }, async () => {
  const before = new Set(partitionGroups());
  const configsBefore = new Set(serverConfigDirs());
  const out = path.join(testDir('vl-crash-'), 'report');
  const run = startCli(['scenario', 'voice-2', '--duration', '120s', '--out', out]);
  const samples = path.join(out, 'samples.jsonl');
  await untilLive(run.proc, samples, 2, 3, 240);
  const ours = partitionGroups().filter((d) => !before.has(d));
  assert.ok(ours.length >= 2, `no partition groups while the run went: ${ours.join(', ')}`);
  const harnessPid = Number(/^voiceload-(\d+)-/.exec(ours[0]!)?.[1]);
  process.kill(harnessPid, 'SIGKILL');
  await run.done;
  assert.deepEqual(partitionGroups().filter((d) => !before.has(d)), [], 'cgroups left behind');
  // Agents and generators notice the IPC channel close and exit on their own; give them their stop deadline.
  for (let i = 0; i < 40 && runProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
  // The server's config (its API secret) is removed once the server has read it, so no cleanup is needed after a crash.
  assert.deepEqual(serverConfigDirs().filter((d) => !configsBefore.has(d)), [], 'server config left behind');
});
