/**
 * A whole Runner driven in virtual time: a fake clock, a fake runtime, fake samplers and a fake
 * server handle. No server, no process, no sleeping: what is checked is the run core's own logic —
 * the ramp schedule, the knee stop, the window, the signal, the result assembled from the parts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError } from '../harness/common/errors.js';
import type { RunClock } from '../harness/run/clock.js';
import { Runner, type RunOptions } from '../harness/run/runner.js';
import type { HostInfo } from '../harness/results/types.js';
import type { AgentRuntime, JobPid, RuntimeContext, RuntimeResultPart } from '../harness/runtimes/types.js';
import type { ProcessGroup, RoleSample, TreeSampler } from '../harness/sampling/types.js';
import { validateScenario, type ScenarioSpec } from '../harness/scenario/schema.js';
import type { ServerHandle } from '../harness/server/types.js';

const EPOCH0 = 1_700_000_000_000;

/** Virtual time: timers fire in due order when the test advances; nothing waits for real. */
class FakeClock implements RunClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number { return this.t; }
  wall(): number { return EPOCH0 + this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers.delete(handle as number); }
  /** Fires timers in order until `done` settles; between timers, lets promises run for real. */
  async drive<T>(done: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    const out = done.finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setImmediate(r));
      if (settled) break;
      const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) continue;
      assert.ok(next[1].at <= limitMs, 'the run did not end in virtual time');
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    return out;
  }
}

/** Places each session by marking its agent and user joined at once, and remembers when. */
class FakeRuntime extends EventEmitter implements AgentRuntime {
  readonly kind = 'bare' as const;
  readonly launches: Array<{ from: number; to: number; atMs: number }> = [];
  started = false;
  stopped = false;
  constructor(private readonly ctx: RuntimeContext, private readonly clock: FakeClock, private readonly startMs = 0) { super(); }
  async start(): Promise<void> {
    // Workers take seconds to come up (Python: ~4 s) before the first session is placed.
    if (this.startMs > 0) await new Promise((r) => this.clock.setTimeout(() => r(undefined), this.startMs));
    this.started = true;
  }
  async launch(from: number, to: number): Promise<void> {
    this.launches.push({ from, to, atMs: this.clock.now() });
    for (let i = from; i < to; i++) {
      const rec = this.ctx.book.add(i, `${this.ctx.runId}-s${i}`);
      rec.agentJoinedAt = this.clock.wall();
      rec.userJoinedAt = this.clock.wall();
    }
  }
  pids() { return { agents: [], generator: [] }; }
  jobPids(): JobPid[] { return []; }
  async stop(): Promise<void> { this.stopped = true; }
  resultPart(): RuntimeResultPart { return { basisNote: 'fake runtime' }; }
}

/** Every role uses 0.1 core per active session; no process is read. */
class FakeSampler implements TreeSampler {
  constructor(private readonly active: () => number) {}
  async sample(): Promise<RoleSample> { throw new Error('unused'); }
  async sampleAll(groups: Readonly<Record<string, ProcessGroup>>): Promise<Record<string, RoleSample>> {
    const out: Record<string, RoleSample> = {};
    for (const k of Object.keys(groups)) out[k] = { processes: 1, cpuCores: 0.1 * this.active(), rssBytes: 50e6, pssBytes: 40e6 };
    return out;
  }
}

const HOST: HostInfo = { cores: 2, memoryBytes: 8 * 1024 ** 3, hostname: 'fake', cpuModel: 'fake', platform: 'linux', kernel: 'x', node: process.version };

function fakeServer(): ServerHandle & { stopped: boolean } {
  return { mode: 'local', url: 'ws://127.0.0.1:7880', apiKey: 'k', apiSecret: 's', version: 'fake', pid: null, died: new Promise(() => {}), stopped: false, async stop() { this.stopped = true; } };
}

function setUp(spec: Partial<ScenarioSpec>, extra: Partial<RunOptions> = {}, failRuntime = false, runtimeStartMs = 0) {
  const clock = new FakeClock();
  const dir = mkdtempSync(join(tmpdir(), 'vl-runner-'));
  const scenario = validateScenario({ name: 'fake', sessions: 4, ramp: { step: 2, every: '10s' }, duration: '30s', warmup: '5s', target: '4c8g', ...spec }, 'fake.ts');
  const server = fakeServer();
  let runtime: FakeRuntime | null = null;
  let book: RuntimeContext['book'] | null = null;
  const controller = new AbortController();
  const runner = new Runner({
    scenario, speechPath: '/dev/null', segments: [], outDir: dir, network: { mode: 'host', namespace: null, allowedAddrs: [] },
    signal: controller.signal, startServer: async () => server,
    deps: {
      clock, host: HOST,
      makeRuntime: (ctx) => {
        if (failRuntime) throw new Error('no agent could start');
        return (book = ctx.book), (runtime = new FakeRuntime(ctx, clock, runtimeStartMs));
      },
      samplers: { sampler: new FakeSampler(() => book?.active() ?? 0), system: { sample: async () => ({ cpuCores: 0.5, memUsedBytes: 1e9, memTotalBytes: 8e9 }) } },
    },
    ...extra,
  });
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  return { clock, runner, server, controller, runtime: () => runtime!, cleanUp };
}

test('Runner: launches each ramp step on its schedule, holds to the end, and stops everything', async () => {
  const { clock, runner, server, runtime, cleanUp } = setUp({});
  try {
    const { result, samples, error } = await clock.drive(runner.run());
    assert.equal(error, null);
    assert.deepEqual(runtime().launches, [{ from: 0, to: 2, atMs: 0 }, { from: 2, to: 4, atMs: 10_000 }]);
    assert.ok(runtime().started && runtime().stopped && server.stopped);
    assert.equal(result.sessions.requested, 4);
    assert.equal(result.sessions.joined, 4);
    assert.equal(result.durationS, 30);
    // Ticks every second on the recorder's own schedule, driven by the injected clock: ticks 1–29 s;
    // the tick due at 30 s falls at the instant the run ends (its timer was set after the hold's).
    assert.equal(samples.length, 29);
    assert.deepEqual(samples.map((s) => s.elapsedMs), Array.from({ length: 29 }, (_, k) => (k + 1) * 1000));
    // The window opens warm-up (5 s) after the last join (10 s).
    assert.equal(result.window.fromS, 15);
    assert.match(result.perSession.basis, /; fake runtime$/);
    assert.equal(result.interrupted, false);
  } finally {
    cleanUp();
  }
});

test('Runner: the run\'s clock starts once the workers are up, so a slow start-up neither bunches the ramp\'s steps nor shortens the run', async () => {
  const { clock, runner, runtime, cleanUp } = setUp({ ramp: { step: 2, every: '10s', settle: '2s' } }, {}, false, 4_000);
  try {
    const { result, samples } = await clock.drive(runner.run());
    // The workers are up at 4 s: step 0 is placed then, step 1 its 10 s later (not at 10 s, 6 s after step 0).
    assert.deepEqual(runtime().launches.map((l) => l.atMs), [4_000, 14_000]);
    // The run's 30 s count from then: the recorder's first tick is 1 s into the run, and none is lost.
    assert.equal(samples[0]?.elapsedMs, 1_000);
    assert.equal(result.durationS, 30);
    assert.equal(samples.length, 29);
    // Step 0 holds samples until step 1's launch, none from after it: 2 sessions each.
    const step0 = result.steps?.[0];
    assert.ok(step0 && step0.toS !== null && step0.toS <= 10, `step 0 reaches ${step0?.toS} s, past step 1's launch at 10 s`);
    assert.equal(step0?.sessions, 2);
    assert.ok(samples.filter((s) => s.elapsedMs < 10_000).every((s) => s.activeSessions === 2));
  } finally {
    cleanUp();
  }
});

test('Runner: with stopAtKnee, a broken step ends the ramp there and is measured over its settled part', async () => {
  const judged: number[] = [];
  const { clock, runner, runtime, cleanUp } = setUp(
    { sessions: 6, ramp: { step: 2, every: '10s', settle: '3s' }, duration: '40s', stopAtKnee: true },
    { judgeStep: (step) => (judged.push(step.index), { agents: step.index === 1 ? ['onset lag p95 400 ms > 300 ms'] : [], loadSide: [] }) },
  );
  const info: string[] = [];
  runner.on('info', (m: string) => info.push(m));
  try {
    const { result } = await clock.drive(runner.run());
    // The agents' own knee is what a ramp is for: the run is valid and says where the knee is.
    assert.deepEqual(result.invalidReasons, []);
    assert.deepEqual(info, ['knee at 4 sessions: onset lag p95 400 ms > 300 ms']);
    assert.deepEqual(runtime().launches.map((l) => [l.from, l.to]), [[0, 2], [2, 4]]);
    assert.deepEqual(judged, [0, 1]);
    assert.equal(result.kneeStop?.stepIndex, 1);
    assert.deepEqual(result.kneeStop?.broke, ['onset lag p95 400 ms > 300 ms']);
    // A ramp stopped at its knee asked for the sessions it launched, not its cap.
    assert.equal(result.sessions.requested, 4);
    // Step 1 joined at 10 s; settle 3 s: its settled part, and so the window, starts at 13 s.
    assert.equal(result.window.fromS, 13);
    assert.ok(result.durationS <= 20.001, `stopped at the knee, not held to 40 s (${result.durationS})`);
  } finally {
    cleanUp();
  }
});

test('Runner: a ramp stopped because the load side missed real time is invalid and says the load side broke first', async () => {
  const late = 'the load generator missed real time: publish lateness p99 30.0 ms > 20 ms';
  const { clock, runner, cleanUp } = setUp(
    { sessions: 6, ramp: { step: 2, every: '10s', settle: '3s' }, duration: '40s', stopAtKnee: true },
    { judgeStep: (step) => ({ agents: [], loadSide: step.index === 1 ? [late] : [] }) },
  );
  const info: string[] = [];
  runner.on('info', (m: string) => info.push(m));
  try {
    const { result } = await clock.drive(runner.run());
    assert.equal(result.valid, false);
    assert.deepEqual(result.invalidReasons, [`the load side broke first, at 4 sessions (${late}): the agents' knee was not reached`]);
    assert.match(info[0] ?? '', /the load side broke first/);
    assert.deepEqual(result.kneeStop?.loadSide, [late]);
  } finally {
    cleanUp();
  }
});

test('Runner: a signal stops the run early; the result says interrupted and what was recorded is kept', async () => {
  const { clock, runner, controller, runtime, server, cleanUp } = setUp({});
  try {
    clock.setTimeout(() => controller.abort(), 12_500);
    const { result, samples } = await clock.drive(runner.run());
    assert.equal(result.interrupted, true);
    assert.ok(result.invalidReasons.includes('interrupted'));
    assert.equal(result.valid, false);
    assert.equal(samples.length, 12);
    assert.ok(runtime().stopped && server.stopped);
  } finally {
    cleanUp();
  }
});

test('Runner: a fault before anything was sampled is thrown, and the server it started is stopped', async () => {
  const { clock, runner, server, cleanUp } = setUp({}, {}, true);
  try {
    const out = await clock.drive(runner.run().catch((err: Error) => err));
    // Nothing was sampled before the fault: there is nothing to report, and the server was stopped.
    assert.ok(out instanceof Error && /no agent could start/.test(out.message));
    assert.ok(server.stopped);
  } finally {
    cleanUp();
  }
});

test('Runner: a signal already aborted before run() stops it before the server starts (exit 105 path, nothing started)', async () => {
  const { clock, runner, controller, cleanUp } = setUp({});
  let starts = 0;
  try {
    controller.abort();
    (runner as unknown as { opts: RunOptions }).opts.startServer = async () => {
      starts++;
      return fakeServer();
    };
    const out = await clock.drive(runner.run().catch((err: Error) => err));
    assert.ok(out instanceof InterruptedError, String(out));
    assert.equal(starts, 0, 'the server was started after the signal');
  } finally {
    cleanUp();
  }
});

test('Runner: a signal while the server starts stops the run there; the server it started is stopped, no agent started', async () => {
  const server = fakeServer();
  let seen: AbortSignal | null = null;
  const { clock, runner, controller, runtime, cleanUp } = setUp({}, {
    startServer: async (signal: AbortSignal) => {
      seen = signal;
      // The start takes 5 s of virtual time; Ctrl-C comes 1 s in.
      clock.setTimeout(() => controller.abort(), 1000);
      await new Promise<void>((r) => clock.setTimeout(r, 5000));
      return server;
    },
  });
  try {
    const out = await clock.drive(runner.run().catch((err: Error) => err));
    assert.ok(out instanceof InterruptedError, String(out));
    assert.equal(seen!.aborted, true, 'startServer was not handed the run signal');
    assert.equal(server.stopped, true);
    assert.equal(runtime(), null, 'a runtime was made after the signal');
  } finally {
    cleanUp();
  }
});
