/**
 * The container runtime's pieces, without podman: the flag and scenario key, the `podman run` line
 * it builds (limits, the run's namespace, no secret in argv), and reading a container's cgroup
 * counters into the agents role's basis.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { UsageError } from '../harness/common/errors.js';
import { containerNote, containerPlan, podmanRunArgv, readCgroupCounters } from '../harness/runtimes/container.js';
import type { RuntimeContext } from '../harness/runtimes/types.js';
import { validateScenario } from '../harness/scenario/schema.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('--worker-container IMAGE implies the container runtime; a bad pairing is a one-line usage error', () => {
  const flags = parseScenarioArgs(['voice-2', '--worker-container', 'localhost/voiceload-worker:dev']);
  assert.equal(flags.overrides.workerImage, 'localhost/voiceload-worker:dev');
  assert.equal(flags.overrides.runtime, 'container');
  const s = validateScenario({ name: 'n', ...flags.overrides }, 'f.ts');
  assert.equal(s.pool.runtime, 'container');
  assert.equal(s.pool.workerImage, 'localhost/voiceload-worker:dev');
  assert.equal(s.pool.workers, 1);
  assert.throws(() => validateScenario({ name: 'n', runtime: 'container' }, 'f.ts'), (e: Error) => e instanceof UsageError && /--worker-container IMAGE/.test(e.message));
  assert.throws(() => validateScenario({ name: 'n', runtime: 'framework', workerImage: 'x' }, 'f.ts'), /must be 'container', not 'framework'/);
  assert.throws(() => validateScenario({ name: 'n', workerImage: '-v /:/host' }, 'f.ts'), /'workerImage' must be an image name/);
});

test('podman run: the target as its limits, the run namespace as its network, environment by name only', () => {
  const argv = podmanRunArgv({
    image: 'img:1', name: 'vl-abc-worker-0', netns: 'voiceload-1-2', hostNetns: '/proc/7/ns/net', cores: 4, memoryBytes: 8 * 1024 ** 3,
    socketDir: '/tmp/voiceload-workers-x', env: ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'],
  });
  const at = (flag: string) => argv[argv.indexOf(flag) + 1];
  assert.equal(at('--cpus'), '4');
  assert.equal(at('--memory'), '8589934592b');
  assert.equal(at('--network'), 'ns:/var/run/netns/voiceload-1-2');
  assert.equal(at('-v'), '/tmp/voiceload-workers-x:/tmp/voiceload-workers-x');
  assert.equal(argv.at(-1), 'img:1');
  // -e NAME copies the value from podman's own environment: no value, and so no secret, in argv.
  assert.deepEqual(argv.filter((_, i) => argv[i - 1] === '-e'), ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET']);
  assert.ok(argv.slice(argv.indexOf('podman')).every((a) => !a.includes('=')), argv.join(' '));
});

test('the run must have its own namespace for the container to join', () => {
  const ctx = { scenario: validateScenario({ name: 'n', workerImage: 'img' }, 'f.ts'), server: { mode: 'local' } } as unknown as RuntimeContext;
  assert.deepEqual(containerPlan(ctx, { VOICELOAD_NETNS: 'voiceload-1', VOICELOAD_HOST_NETNS: '/proc/7/ns/net' }), { image: 'img', netns: 'voiceload-1', hostNetns: '/proc/7/ns/net' });
  assert.throws(() => containerPlan(ctx, {}), UsageError);
  assert.throws(() => containerPlan({ ...ctx, server: { mode: 'external' } } as unknown as RuntimeContext, { VOICELOAD_NETNS: 'x' }), UsageError);
});

test("a container's cgroup counters, v1 and v2, as fixture files", () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vl-ctr-cg-'));
  dirs.push(root);
  for (const d of ['cpuacct', 'memory', 'v2']) mkdirSync(path.join(root, d));
  writeFileSync(path.join(root, 'cpuacct', 'cpuacct.usage'), '2500000000\n');
  writeFileSync(path.join(root, 'memory', 'memory.usage_in_bytes'), '314572800\n');
  writeFileSync(path.join(root, 'v2', 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n');
  writeFileSync(path.join(root, 'v2', 'memory.current'), '104857600\n');
  assert.deepEqual(readCgroupCounters({ cpu: path.join(root, 'cpuacct'), memory: path.join(root, 'memory'), v2: null }), { cpuNs: 2.5e9, memoryBytes: 300 * 1024 ** 2 });
  assert.deepEqual(readCgroupCounters({ cpu: null, memory: null, v2: path.join(root, 'v2') }), { cpuNs: 1.5e9, memoryBytes: 100 * 1024 ** 2 });
  assert.equal(readCgroupCounters({ cpu: path.join(root, 'nope'), memory: path.join(root, 'memory'), v2: null }), null);
});

test('the basis names the image, its limits, and what a worker container that could not be read is', () => {
  const note = containerNote('img:1', { cores: 1, memoryBytes: 2 * 1024 ** 3 }, []);
  assert.match(note, /container of img:1 limited to 1 cores \/ 2048 MiB/);
});
