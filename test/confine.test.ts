import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCgroup, limitFiles, ownV1Path, shouldConfine } from '../harness/run/confine.js';

const GB = 1024 ** 3;

test('ownV1Path: finds the controller in /proc/self/cgroup, joined or not', () => {
  const text = '9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/';
  assert.equal(ownV1Path(text, 'memory'), '/process_api/abc');
  assert.equal(ownV1Path(text, 'cpu'), '/x');
  assert.equal(ownV1Path(text, 'pids'), null);
});

test('limitFiles: the quota is cores x period, the memory limit in bytes, per version', () => {
  assert.deepEqual(limitFiles('cgroup-v1', { cores: 1.5, memoryBytes: 4 * GB }), {
    cpu: [['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '150000']],
    memory: [['memory.limit_in_bytes', String(4 * GB)]],
  });
  assert.deepEqual(limitFiles('cgroup-v2', { cores: 4, memoryBytes: 8 * GB }), {
    cpu: [['cpu.max', '400000 100000']],
    memory: [['memory.max', String(8 * GB)], ['memory.swap.max', '0']],
  });
});

test('shouldConfine: only a host with more cores than the target', () => {
  assert.equal(shouldConfine({ cores: 8, memoryBytes: 16 * GB }, { cores: 4, memoryBytes: 8 * GB }), true);
  assert.equal(shouldConfine({ cores: 2, memoryBytes: 24 * GB }, { cores: 4, memoryBytes: 8 * GB }), false);
  assert.equal(shouldConfine({ cores: 4, memoryBytes: 8 * GB }, { cores: 4, memoryBytes: 8 * GB }), false);
});

test('createCgroup (v1 layout in a temp dir): writes the limits, adds pids, removes itself', async () => {
  const root = await mkdtemp(join(tmpdir(), 'voiceload-cg-'));
  try {
    const own = await readFile('/proc/self/cgroup', 'utf8');
    for (const c of ['cpu', 'memory']) {
      const line = own.split('\n').find((l) => l.split(':')[1]?.split(',').includes(c));
      await mkdir(join(root, c, line?.split(':')[2] ?? '/'), { recursive: true });
    }
    const cg = await createCgroup({ cores: 1, memoryBytes: 2 * GB }, 'voiceload-test', root);
    assert.equal(cg.info.kind, 'cgroup-v1');
    assert.equal(await readFile(join(cg.info.path, 'cpu.cfs_quota_us'), 'utf8'), '100000');
    await cg.add(12345);
    assert.equal(await readFile(join(cg.info.path, 'cgroup.procs'), 'utf8'), '12345');
    // A plain directory holds the files it was given, so rmdir fails; the real cgroupfs has none. remove() must not throw.
    await cg.remove();
    assert.ok((await stat(cg.info.path)).isDirectory());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
