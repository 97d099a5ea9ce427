/**
 * scripts/netns-run.sh after its command dies without cleaning up (a crashed harness): the cgroups
 * named for that command's pid (voiceload-<pid>-…) and what still runs in them must be gone.
 * No livekit-server here: a shell stands in for the harness, so this needs no machine-wide lock.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/netns-run.sh', import.meta.url));
const CPUSET = '/sys/fs/cgroup/cpuset';
const usable = process.getuid?.() === 0 && existsSync(path.join(CPUSET, 'cpuset.cpus')) && spawnSync('ip', ['-V']).status === 0;

test('netns-run.sh: a crashed command\'s cgroups and their processes are removed', { skip: !usable && 'needs root, iproute2 and a cgroup v1 cpuset' }, () => {
  // The stand-in harness makes a group named for its pid, leaves a child in it, and dies by SIGKILL.
  const crash = [
    `g=${CPUSET}/voiceload-$$-test-load`,
    'mkdir "$g"',
    `cat ${CPUSET}/cpuset.mems > "$g/cpuset.mems"`,
    `cat ${CPUSET}/cpuset.cpus > "$g/cpuset.cpus"`,
    'sleep 300 & echo $! > "$g/cgroup.procs"',
    'echo "$$ $!"',
    'kill -KILL $$',
  ].join('; ');
  const run = spawnSync('bash', [SCRIPT, 'bash', '-c', crash], { encoding: 'utf8', timeout: 30_000 });
  const [harness, orphan] = run.stdout.trim().split(' ').map(Number);
  assert.ok(harness && orphan, `the stand-in did not start: ${run.stderr}`);
  const left = readdirSync(CPUSET).filter((d) => d.startsWith(`voiceload-${harness}-`));
  // A zombie has ended; only its parent (init here) has yet to reap it.
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(orphan)], { encoding: 'utf8' }).stdout.trim();
  const orphanAlive = state !== '' && !state.startsWith('Z');
  if (orphanAlive) process.kill(orphan, 'SIGKILL');
  for (const d of left) spawnSync('rmdir', [path.join(CPUSET, d)]);
  assert.deepEqual(left, [], 'cgroups left behind');
  assert.equal(orphanAlive, false, 'the process in the cgroup was left running');
});
