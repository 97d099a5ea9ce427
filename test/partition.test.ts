import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enterArgv } from '../harness/run/confine.js';
import { agentCoresOf, cpuListText, createPartition, parseCpuList, planPartition, staleGroups } from '../harness/run/partition.js';

const GB = 1024 ** 3;

test('parseCpuList / cpuListText: ranges both ways', () => {
  assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList('1'), [1]);
  assert.equal(cpuListText([0, 1, 2, 3, 6, 8, 9]), '0-3,6,8-9');
  assert.equal(cpuListText([1]), '1');
  assert.throws(() => parseCpuList('a-b'), /not a cpuset list/);
});

test('planPartition: 2 cores → one for the agents, one for the load side; none with one core', () => {
  const p = planPartition([0, 1], { cores: 2, memoryBytes: 24 * GB }, { cores: 4, memoryBytes: 8 * GB });
  assert.deepEqual(p, { agentCpus: [1], loadCpus: [0], quotaCores: null, memoryBytes: 8 * GB, memoryLimit: true });
  assert.equal(agentCoresOf(p!), 1);
  assert.equal(planPartition([0], { cores: 1, memoryBytes: 8 * GB }, { cores: 4, memoryBytes: 8 * GB }), null);
});

test('planPartition: a big host gives the agents the target\'s cores and the load side the rest', () => {
  const p = planPartition([0, 1, 2, 3, 4, 5, 6, 7], { cores: 8, memoryBytes: 16 * GB }, { cores: 4, memoryBytes: 8 * GB });
  assert.deepEqual(p, { agentCpus: [4, 5, 6, 7], loadCpus: [0, 1, 2, 3], quotaCores: null, memoryBytes: 8 * GB, memoryLimit: true });
  // A fractional target: its cores rounded up as CPUs, bounded by a quota; memory no limit when the host is smaller.
  const q = planPartition([0, 1, 2, 3], { cores: 4, memoryBytes: 4 * GB }, { cores: 1.5, memoryBytes: 8 * GB });
  assert.deepEqual(q, { agentCpus: [2, 3], loadCpus: [0, 1], quotaCores: 1.5, memoryBytes: 4 * GB, memoryLimit: false });
  assert.equal(agentCoresOf(q!), 1.5);
  // 4 cores, target 4: the load side keeps one.
  assert.deepEqual(planPartition([0, 1, 2, 3], { cores: 4, memoryBytes: 8 * GB }, { cores: 4, memoryBytes: 8 * GB })?.agentCpus, [1, 2, 3]);
});

test('staleGroups: only our groups whose harness is dead, at any depth', () => {
  const root = mkdtempSync(join(tmpdir(), 'vl-stale-'));
  try {
    for (const d of ['cpuset/voiceload-111-vl-a-agents', 'cpuset/voiceload-222-vl-b-load', 'memory/x/y/voiceload-111-vl-a-agents', 'cpuset/voiceload-vl-c', 'cpuset/other']) mkdirSync(join(root, d), { recursive: true });
    const found = staleGroups(root, (pid) => pid === 222).map((p) => p.slice(root.length)).sort();
    assert.deepEqual(found, ['/cpuset/voiceload-111-vl-a-agents', '/memory/x/y/voiceload-111-vl-a-agents']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const cgroupsV1 = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/cpuset/cpuset.cpus') && parseCpuList(readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8')).length >= 2;

function cpusAllowed(pid: number): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
}

test('createPartition (real cgroup v1): agents and harness on their own CPUs, nothing left after remove', { skip: !cgroupsV1 && 'needs root and a cgroup v1 cpuset with 2+ CPUs' }, async () => {
  const cpus = parseCpuList(readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8'));
  const plan = planPartition(cpus, { cores: cpus.length, memoryBytes: 24 * GB }, { cores: 4, memoryBytes: 8 * GB })!;
  const before = cpusAllowed(process.pid);
  const p = await createPartition(plan, `test-${process.pid}`, []);
  const child = spawn('sleep', ['30']);
  try {
    assert.equal(cpusAllowed(process.pid), cpuListText(plan.loadCpus), 'the harness is not on the load side');
    // Forked after the partition: starts on the load side, as a generator does.
    assert.equal(cpusAllowed(child.pid!), cpuListText(plan.loadCpus));
    await p.addAgent(child.pid!);
    assert.equal(cpusAllowed(child.pid!), cpuListText(plan.agentCpus), 'the agent is not on its own CPUs');
    assert.equal(p.info.partition?.agentCpus, cpuListText(plan.agentCpus));
    assert.equal(p.info.cpuCores, agentCoresOf(plan));
    const usage = await p.cpuUsageNs();
    assert.ok(usage.load !== null && usage.load > 0, 'no CPU reading from the load group');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await p.remove();
  }
  assert.equal(existsSync(p.info.path), false, `${p.info.path} left behind`);
  assert.equal(existsSync(p.info.partition!.loadPath), false, `${p.info.partition!.loadPath} left behind`);
  assert.equal(cpusAllowed(process.pid), before, 'the harness did not get its CPUs back');
});

test('enterArgv (real cgroup v1): a worker\'s children forked at once are on the agents\' CPUs too', { skip: !cgroupsV1 && 'needs root and a cgroup v1 cpuset with 2+ CPUs' }, async () => {
  const cpus = parseCpuList(readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8'));
  const plan = planPartition(cpus, { cores: cpus.length, memoryBytes: 24 * GB }, { cores: 4, memoryBytes: 8 * GB })!;
  const p = await createPartition(plan, `test-enter-${process.pid}`, []);
  // As `sh -c CMD` or LiveKit Python's forkserver: the child forks before anyone could move it.
  const [cmd, ...args] = enterArgv(p.agentProcsFiles, ['sh', '-c', 'sleep 30 & echo $!; wait']);
  const worker = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let grandchild = 0;
  try {
    grandchild = Number(await new Promise<string>((resolve) => worker.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    assert.equal(cpusAllowed(worker.pid!), cpuListText(plan.agentCpus), 'the worker is not on the agents\' CPUs');
    assert.equal(cpusAllowed(grandchild), cpuListText(plan.agentCpus), 'its child was left on the load side');
    for (const f of p.agentProcsFiles) assert.match(readFileSync(f, 'utf8'), new RegExp(`^${grandchild}$`, 'm'), `${f} lacks the child`);
  } finally {
    if (grandchild > 0) process.kill(grandchild, 'SIGKILL');
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));
    await p.remove();
  }
  assert.equal(existsSync(p.info.path), false, `${p.info.path} left behind`);
});

test('in-cgroup.sh: a group it cannot join runs nothing and exits 125 with the reason', async () => {
  const argv = enterArgv(['/nonexistent/cgroup.procs'], ['sh', '-c', 'echo ran']);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 125);
  assert.equal(out, '');
  assert.match(err, /in-cgroup: cannot join \/nonexistent\/cgroup\.procs/);
});
