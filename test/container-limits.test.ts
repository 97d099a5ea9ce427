/**
 * The container-limits reader on cgroup trees laid out as a container sees them (v1 and v2), and
 * the host a run measures: the machine's size, or a container's limits where they are tighter.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cgroupChain, coresOf, parseCpuMax, parseCpuUsageUs, parseMemoryLimit, readCgroupLimits, readCgroupMemoryBytes, type ReadText } from '../harness/sampling/container-limits.js';
import { effectiveSize, hostInfo } from '../harness/sampling/host.js';
import { hostWords } from '../harness/capacity/target.js';

const GIB = 1024 ** 3;
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A cgroup mount in a temp folder with these files, and a reader that serves /proc/self/cgroup. */
function tree(files: Record<string, string>, procCgroup: string): { root: string; read: ReadText } {
  const root = mkdtempSync(join(tmpdir(), 'vl-cgroup-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const read: ReadText = (f) => {
    if (f === '/proc/self/cgroup') return procCgroup;
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  return { root, read };
}

test('parsers: v2 cpu.max, v1 quota/period, memory limits with their "unlimited" spellings', () => {
  assert.equal(parseCpuMax('100000 100000\n'), 1);
  assert.equal(parseCpuMax('150000 100000'), 1.5);
  assert.equal(parseCpuMax('max 100000'), null);
  assert.equal(parseCpuMax(null), null);
  assert.equal(coresOf('400000\n', '100000\n'), 4);
  assert.equal(coresOf('-1', '100000'), null);
  assert.equal(parseMemoryLimit('536870912\n'), 512 * 1024 ** 2);
  assert.equal(parseMemoryLimit('max\n'), null);
  assert.equal(parseMemoryLimit('9223372036854771712'), null);
});

test('cgroup v1 as podman shows it: the host path is not visible, the mount root is the container', () => {
  const { root, read } = tree({
    'cpu/cpu.cfs_quota_us': '100000\n', 'cpu/cpu.cfs_period_us': '100000\n',
    'memory/memory.limit_in_bytes': '2147483648\n',
  }, '4:memory:/machine.slice/libpod-abc.scope\n1:cpu:/machine.slice/libpod-abc.scope\n0::/\n');
  // cpu and cpuacct mounted apart (as on this host): the usage counter is at the same place under cpuacct.
  assert.deepEqual(readCgroupLimits(root, read), { kind: 'cgroup-v1', cpuCores: 1, memoryBytes: 2 * GIB, cpuUsageFile: join(root, 'cpuacct', 'cpuacct.usage'), memoryDir: join(root, 'memory') });
});

test('cgroup v1 on a host: the tightest limit on the way up from this process cgroup counts', () => {
  const { root, read } = tree({
    'cpu,cpuacct/cpu.cfs_quota_us': '-1\n', 'cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    'cpu,cpuacct/a/cpu.cfs_quota_us': '250000\n', 'cpu,cpuacct/a/cpu.cfs_period_us': '100000\n',
    'cpu,cpuacct/a/b/cpu.cfs_quota_us': '-1\n', 'cpu,cpuacct/a/b/cpu.cfs_period_us': '100000\n',
    'memory/memory.limit_in_bytes': '9223372036854771712\n',
    'memory/a/b/memory.limit_in_bytes': '9223372036854771712\n',
  }, '4:memory:/a/b\n2:cpu,cpuacct:/a/b\n');
  // The usage counted is the cgroup whose limit binds (a), which holds b and its siblings, not b's alone.
  assert.deepEqual(readCgroupLimits(root, read), { kind: 'cgroup-v1', cpuCores: 2.5, memoryBytes: null, cpuUsageFile: join(root, 'cpu,cpuacct', 'a', 'cpuacct.usage') });
});

test('cgroup v2 (a Kubernetes pod, cgroupns): the container is the root of the mount', () => {
  const { root, read } = tree({
    'cgroup.controllers': 'cpu memory pids\n', 'cpu.max': '400000 100000\n', 'memory.max': '8589934592\n',
  }, '0::/\n');
  assert.deepEqual(readCgroupLimits(root, read), { kind: 'cgroup-v2', cpuCores: 4, memoryBytes: 8 * GIB, cpuUsageFile: join(root, 'cpu.stat'), memoryDir: root });
});

test('cgroup v2 without cgroupns: limits set on the parent slice still bind', () => {
  const { root, read } = tree({
    'cgroup.controllers': 'cpu memory\n',
    'kubepods/pod1/cpu.max': '200000 100000\n', 'kubepods/pod1/memory.max': '1073741824\n',
    'kubepods/pod1/ctr/cpu.max': 'max 100000\n', 'kubepods/pod1/ctr/memory.max': 'max\n',
  }, '0::/kubepods/pod1/ctr\n');
  assert.deepEqual(readCgroupLimits(root, read), { kind: 'cgroup-v2', cpuCores: 2, memoryBytes: GIB, cpuUsageFile: join(root, 'kubepods', 'pod1', 'cpu.stat'), memoryDir: join(root, 'kubepods', 'pod1') });
  assert.deepEqual(cgroupChain('/m', '/x/y', () => true), ['/m/x/y', '/m/x', '/m']);
});

test('parseCpuUsageUs: v2 cpu.stat usage_usec, v1 cpuacct.usage in ns, null when unreadable', () => {
  assert.equal(parseCpuUsageUs('/c/cpu.stat', 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n'), 1_234_567);
  assert.equal(parseCpuUsageUs('/c/cpuacct.usage', '2500000000\n'), 2_500_000);
  assert.equal(parseCpuUsageUs('/c/cpu.stat', 'nr_periods 3\n'), null);
  assert.equal(parseCpuUsageUs('/c/cpuacct.usage', null), null);
});

test("readCgroupMemoryBytes: the working set, usage less the inactive page cache, per version", () => {
  const v2 = tree({ 'memory.current': '500000000\n', 'memory.stat': 'anon 300000000\nfile 200000000\ninactive_file 150000000\n' }, '0::/\n');
  assert.equal(readCgroupMemoryBytes('cgroup-v2', v2.root, v2.read), 350_000_000);
  const v1 = tree({ 'memory.usage_in_bytes': '800000000\n', 'memory.stat': 'inactive_file 1\ntotal_inactive_file 300000000\n' }, '4:memory:/\n');
  assert.equal(readCgroupMemoryBytes('cgroup-v1', v1.root, v1.read), 500_000_000, 'v1 counts the hierarchy: total_inactive_file');
  const noStat = tree({ 'memory.current': '1000\n' }, '0::/\n');
  assert.equal(readCgroupMemoryBytes('cgroup-v2', noStat.root, noStat.read), 1000);
  assert.equal(readCgroupMemoryBytes('cgroup-v2', join(noStat.root, 'gone'), noStat.read), null);
});

test('no limit on CPU: no usage file, only memory', () => {
  const { root, read } = tree({ 'cgroup.controllers': 'memory\n', 'cpu.max': 'max 100000\n', 'memory.max': '1073741824\n' }, '0::/\n');
  assert.deepEqual(readCgroupLimits(root, read), { kind: 'cgroup-v2', cpuCores: null, memoryBytes: GIB, memoryDir: root });
});

test('no cgroup mounted, or no /proc: no limits', () => {
  const { root, read } = tree({ 'unrelated': '' }, '0::/\n');
  assert.equal(readCgroupLimits(root, read), null);
  assert.equal(readCgroupLimits(root, () => null), null);
});

test('the host a run measures: the container limits where tighter than the machine, with the machine kept', () => {
  const machine = { cores: 2, memoryBytes: 24 * GIB };
  assert.deepEqual(effectiveSize(machine, null), { size: machine });
  assert.deepEqual(effectiveSize(machine, { kind: 'cgroup-v1', cpuCores: 8, memoryBytes: null }), { size: machine });
  assert.deepEqual(effectiveSize(machine, { kind: 'cgroup-v1', cpuCores: 1, memoryBytes: 2 * GIB }), {
    size: { cores: 1, memoryBytes: 2 * GIB },
    limits: { kind: 'cgroup-v1', cpuCores: 1, memoryBytes: 2 * GIB, machine },
  });
  const h = hostInfo({ kind: 'cgroup-v2', cpuCores: 0.5, memoryBytes: GIB });
  assert.equal(h.cores, 0.5);
  assert.equal(h.memoryBytes, GIB);
  assert.match(hostWords(h), /^0\.5 cores, 1\.0 GB \(a container's cgroup-v2 limits, on a machine of \d+ cores/);
});
