/**
 * SampleRecorder: the once-a-second schedule that writes samples.jsonl, in virtual time with fake
 * timers and once with the real samplers. (Split from sampling.test.ts, which keeps the samplers.)
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SampleRecorder, type RecorderTimers } from '../harness/sampling/recorder.js';
import { ROLES, type ProcessGroup, type RoleSample, type Sample, type TreeSampler } from '../harness/sampling/types.js';

const MB = 1024 * 1024;
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'voiceload-sampling-'));

/** Timers that fire only when the test says so, on a clock the test moves. */
function fakeTime(): { clock: { now(): number; wall(): number }; timers: RecorderTimers; pending: Map<number, { fn: () => void; at: number }>; set(ms: number): void } {
  let t = 0;
  let id = 0;
  const pending = new Map<number, { fn: () => void; at: number }>();
  return {
    clock: { now: () => t, wall: () => 1_700_000_000_000 + t },
    timers: {
      setTimeout: (fn, ms) => (pending.set(++id, { fn, at: t + ms }), id),
      clearTimeout: (h) => void pending.delete(h as number),
    },
    pending,
    set: (ms) => (t = ms),
  };
}

/** Fires the single pending timer after moving the clock to its due time; returns that time. */
function fireNext(time: ReturnType<typeof fakeTime>): number {
  const entries = [...time.pending.entries()];
  assert.equal(entries.length, 1, 'exactly one timer pending');
  const [id, timer] = entries[0] ?? assert.fail();
  time.pending.delete(id);
  time.set(timer.at);
  timer.fn();
  return timer.at;
}

class FakeSampler implements TreeSampler {
  calls: Record<string, ProcessGroup>[] = [];
  onCall: (n: number) => void = () => {};
  async sample(): Promise<RoleSample> {
    throw new Error('unused');
  }
  async sampleAll(groups: Readonly<Record<string, ProcessGroup>>): Promise<Record<string, RoleSample>> {
    this.calls.push({ ...groups });
    this.onCall(this.calls.length);
    const out: Record<string, RoleSample> = {};
    for (const [k, g] of Object.entries(groups)) out[k] = { processes: g.pids.length, cpuCores: 0.25, rssBytes: MB, pssBytes: MB / 2 };
    return out;
  }
}

describe('SampleRecorder', () => {
  const system = { sample: async () => ({ cpuCores: 1, memUsedBytes: 2 * MB, memTotalBytes: 8 * MB }) };
  const roots = () => ({ agents: [101, 102], generator: [201], server: [301], harness: [process.pid] });

  test('N ticks on an absolute schedule write N complete JSON lines', async () => {
    const dir = tempDir();
    const file = join(dir, 'run', 'samples.jsonl');
    const time = fakeTime();
    const sampler = new FakeSampler();
    const rec = new SampleRecorder({ file, roots, activeSessions: () => 3, sampler, system, clock: time.clock, timers: time.timers });
    rec.start();
    const N = 5;
    for (let k = 1; k <= N; k++) {
      const sampled = once(rec, 'sample');
      assert.equal(fireNext(time), k * 1000);
      await sampled;
    }
    await rec.stop();
    assert.equal(time.pending.size, 0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, N);
    lines.forEach((line, i) => {
      const s = JSON.parse(line) as Sample;
      assert.equal(s.elapsedMs, (i + 1) * 1000);
      assert.equal(s.t, 1_700_000_000_000 + (i + 1) * 1000);
      assert.equal(s.activeSessions, 3);
      assert.deepEqual(Object.keys(s.roles).sort(), [...ROLES].sort());
      assert.equal(s.roles.agents.processes, 2);
      assert.ok(s.sampler.wallMs >= 0 && s.sampler.cpuMs >= 0);
    });
    assert.equal(rec.samples.length, N);
    assert.equal(sampler.calls.length, N + 1); // plus the priming sample
    assert.deepEqual(sampler.calls[1]?.harness, { pids: [process.pid], descendants: false });
    assert.equal(sampler.calls[1]?.agents?.descendants, true);
    rmSync(dir, { recursive: true });
  });

  test('started after the run (server and workers first), samples count from the run\'s start', async () => {
    const dir = tempDir();
    const time = fakeTime();
    time.set(4200); // the run started at 0; the recorder only once its workers were up
    const rec = new SampleRecorder({ file: join(dir, 's.jsonl'), roots, activeSessions: () => 0, sampler: new FakeSampler(), system, clock: time.clock, timers: time.timers, originMs: 0 });
    rec.start();
    const sampled = once(rec, 'sample');
    assert.equal(fireNext(time), 5200, 'ticks still come a second after the recorder started');
    await sampled;
    await rec.stop();
    // On the ramp's clock: a sample at 5.2 s belongs to what was launched by 5.2 s, not by 1 s.
    assert.equal(rec.samples[0]?.elapsedMs, 5200);
    rmSync(dir, { recursive: true });
  });

  test('a slow sample skips the ticks that fell due meanwhile; errors become warnings', async () => {
    const dir = tempDir();
    const time = fakeTime();
    const sampler = new FakeSampler();
    sampler.onCall = (n) => {
      if (n === 3) time.set(4500); // tick 2 (call 3, after priming) takes 2.5 s
      if (n === 4) throw new Error('boom');
    };
    const rec = new SampleRecorder({ file: join(dir, 's.jsonl'), roots, activeSessions: () => 0, sampler, system, clock: time.clock, timers: time.timers });
    const warnings: Error[] = [];
    rec.on('warning', (e: Error) => warnings.push(e));
    rec.start();
    fireNext(time);
    await once(rec, 'sample');
    fireNext(time);
    await once(rec, 'sample');
    assert.equal(rec.missedTicks, 2); // ticks 3 and 4
    assert.equal(fireNext(time), 5000); // tick 5 throws
    await new Promise((r) => setImmediate(r));
    assert.match(warnings.map((w) => w.message).join('\n'), /skipped 2 tick.*\n.*boom/);
    assert.equal(fireNext(time), 6000); // the loop goes on
    await once(rec, 'sample');
    await rec.stop();
    await rec.stop();
    assert.equal(readFileSync(join(dir, 's.jsonl'), 'utf8').trimEnd().split('\n').length, 3);
    rmSync(dir, { recursive: true });
  });

  test('with real samplers and timers, every role is present in each line', async () => {
    const dir = tempDir();
    const file = join(dir, 's.jsonl');
    const rec = new SampleRecorder({ file, intervalMs: 100, roots: () => ({ agents: [], generator: [], server: [], harness: [] }), activeSessions: () => 0 });
    rec.start();
    await once(rec, 'sample');
    await once(rec, 'sample');
    await rec.stop();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Sample);
    assert.ok(lines.length >= 2);
    for (const s of lines) {
      assert.equal(s.roles.harness.processes, 1);
      assert.ok(s.roles.harness.rssBytes > 10 * MB);
      assert.equal(s.roles.agents.processes, 0);
      assert.ok(s.system.memTotalBytes > 0);
    }
    rmSync(dir, { recursive: true });
  });
});
