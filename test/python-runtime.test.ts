/**
 * The Python runtime and worker placement, without a server: re-dispatch of a late room, the
 * worker's process group drained on SIGTERM whatever its command, a byo worker's environment,
 * what the worker's log says (registration, inference process), Python's job processes, the
 * soak's leak verdict, the Python report client's histogram against the harness's own, and a venv
 * that cannot be built stopping a run before it starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { judgeLeak } from '../harness/capacity/leak.js';
import { paths } from '../harness/common/paths.js';
import type { ProcInfo } from '../harness/proc/tree.js';
import { LatencyHistogram } from '../harness/results/histogram.js';
import type { SoakPoint } from '../harness/results/workers.js';
import { ReportServer } from '../harness/runtimes/workers/channel.js';
import { placeWithin } from '../harness/runtimes/workers/dispatch.js';
import { soakPoints } from '../harness/runtimes/workers/soak-summary.js';
import type { WorkerReport } from '../harness/runtimes/workers/messages.js';
import { classify } from '../harness/runtimes/workers/worker-sampler.js';
import { provisionServer } from '../harness/server/provision.js';
import { WorkerProcess } from '../harness/runtimes/workers/worker-proc.js';
import { runCli } from './support/cli.js';
import { testDir } from './support/tmp.js';

const tmp = () => testDir('vl-py-');
const MB = 1024 ** 2;

function worker(command: string, userEnv = true): WorkerProcess {
  return new WorkerProcess({ index: 0, argv: ['/bin/sh', '-c', command], env: { LIVEKIT_AGENT_NAME: 'a' }, userEnv, command, healthPort: 1, logFile: path.join(tmp(), 'worker-0.log') });
}

test('placeWithin: a room whose agent does not come within the bound is withdrawn and dispatched again', async () => {
  const calls: string[] = [];
  let arrived = false;
  let n = 1;
  const ok = await placeWithin({
    arrived: () => arrived,
    withdraw: async (id) => void calls.push(`withdraw ${id}`),
    dispatch: async () => {
      calls.push('dispatch');
      if (++n === 3) setTimeout(() => (arrived = true), 20);
      return `d${n}`;
    },
    onRetry: () => calls.push('retry'),
    stopping: () => false,
  }, 'd1', 150, 3, new AbortController().signal);
  assert.equal(ok, true);
  assert.deepEqual(calls, ['withdraw d1', 'retry', 'dispatch', 'withdraw d2', 'retry', 'dispatch']);
});

test('placeWithin: gives up after maxRetries, and at once when the agent is in', async () => {
  let retries = 0;
  const p = { arrived: () => false, withdraw: async () => undefined, dispatch: async () => 'd', onRetry: () => void retries++, stopping: () => false };
  assert.equal(await placeWithin(p, 'd0', 50, 2, new AbortController().signal), false);
  assert.equal(retries, 2);
  retries = 0;
  assert.equal(await placeWithin({ ...p, arrived: () => true }, 'd0', 50, 2, new AbortController().signal), true);
  assert.equal(retries, 0);
});

test('placeWithin: a dispatch whose job a worker took is never withdrawn, even when its agent is late', async () => {
  const calls: string[] = [];
  const p = {
    arrived: () => false,
    withdraw: async (id: string) => void calls.push(`withdraw ${id}`),
    dispatch: async () => (calls.push('dispatch'), 'd2'),
    onRetry: () => calls.push('retry'),
    stopping: () => false,
  };
  // Claimed at the first look: placed, nothing withdrawn.
  assert.equal(await placeWithin({ ...p, claimed: async (id) => (calls.push(`claimed? ${id}`), true) }, 'd1', 30, 3, new AbortController().signal), true);
  assert.deepEqual(calls, ['claimed? d1']);
  // Claimed only after one re-dispatch; a failing look counts as not claimed.
  calls.length = 0;
  let looks = 0;
  const claimed = async (id: string) => {
    calls.push(`claimed? ${id}`);
    if (++looks === 1) throw new Error('server unreachable');
    return true;
  };
  assert.equal(await placeWithin({ ...p, claimed }, 'd1', 30, 3, new AbortController().signal), true);
  assert.deepEqual(calls, ['claimed? d1', 'withdraw d1', 'retry', 'dispatch', 'claimed? d2']);
});

test('stop: SIGTERM reaches the whole group, so a worker behind `sh -c` (no exec) drains and nothing is left', { timeout: 30_000 }, async () => {
  // The shell runs the "worker" as a child and waits: it is not exec'd, like `sh -c "python agent.py start"`.
  // It drains for a second after SIGTERM, as a worker finishing its jobs would; the shell dies at once.
  const script = "process.on('SIGTERM', () => setTimeout(() => { console.log('drained'); process.exit(0); }, 1000)); console.log('up'); setInterval(() => {}, 1000);";
  const w = worker(`${process.execPath} -e "${script}"; echo shell-after-worker`);
  while (!w.tail.includes('up')) await new Promise((r) => setTimeout(r, 50));
  const survivors = await w.stop(5_000);
  assert.deepEqual(survivors, [], 'a process of the worker group outlived it');
  assert.match(w.tail, /drained/, `the worker never saw SIGTERM: ${w.tail}`);
  // Its drain is in its log too, written after the shell had gone.
  await new Promise((r) => setTimeout(r, 200));
  assert.match(readFileSync(w.spec.logFile, 'utf8'), /drained/);
});

test('a byo worker gets the user\'s environment; our own workers get only the allow-list', { timeout: 30_000 }, async () => {
  process.env.VOICELOAD_TEST_USER_VAR = 'from-the-user';
  try {
    for (const userEnv of [true, false]) {
      const w = worker('echo "var=${VOICELOAD_TEST_USER_VAR:-unset} agent=$LIVEKIT_AGENT_NAME"', userEnv);
      await w.exited;
      assert.match(w.tail, userEnv ? /var=from-the-user agent=a/ : /var=unset agent=a/);
    }
  } finally {
    delete process.env.VOICELOAD_TEST_USER_VAR;
  }
});

test('the worker log: "registered worker" marks registration; Python\'s inference process is recognised by its pid', { timeout: 30_000 }, async () => {
  const w = worker(`sleep 0.3; echo '{"message": "process initialized", "level": "INFO", "pid": 4242, "inference": true}'; echo '{"message": "registered worker", "level": "INFO", "id": "AW_x"}'; echo '{"message": "boom", "level": "ERROR"}'`);
  assert.equal(w.registeredAt, null);
  assert.equal(await w.waitRegistered(5_000), true);
  await w.exited;
  assert.deepEqual([...w.inferencePids], [4242]);
  assert.deepEqual(w.logErrors(), [{ message: 'boom', count: 1 }]);
  const silent = worker('sleep 5');
  assert.equal(await silent.waitRegistered(300), false);
  silent.killGroup();
});

test('classify: a Python worker\'s forkserver children are job processes, its inference process comes from the log', () => {
  const fs = "python3 -c from multiprocessing.forkserver import main; main(7, 8, ['livekit.agents'], **{'sys_path': []})";
  const procs: ProcInfo[] = [
    { pid: 10, ppid: 1, pgid: 10, cmd: 'python agent.py start' },
    { pid: 11, ppid: 10, pgid: 10, cmd: 'python3 -c from multiprocessing.resource_tracker import main;main(6)' },
    { pid: 12, ppid: 10, pgid: 10, cmd: fs },
    { pid: 13, ppid: 12, pgid: 10, cmd: fs },
    { pid: 14, ppid: 12, pgid: 10, cmd: fs },
    { pid: 15, ppid: 12, pgid: 10, cmd: fs },
  ];
  assert.deepEqual(classify(10, procs, new Set([14]), new Set([13])), { main: [10], inference: [13], busy: [14], idle: [15], other: [11, 12] });
  // Spawned (not forked) job processes, Python's other start method.
  const spawned: ProcInfo[] = [{ pid: 10, ppid: 1, pgid: 10, cmd: 'python agent.py start' }, { pid: 20, ppid: 10, pgid: 10, cmd: 'python -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7) --multiprocessing-fork' }];
  assert.deepEqual(classify(10, spawned, new Set([20])).busy, [20]);
});

/** Points: base + slope·k + a deterministic wobble of ±noise MB. */
function points(n: number, slopeMb: number, noiseMb: number): SoakPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    const wobble = noiseMb * Math.sin(k * 2.3);
    return { completed: k, atS: k * 5, fixedPssBytes: (300 + slopeMb * k + wobble) * MB, jobPssBytes: (120 + wobble) * MB };
  });
}

test('judgeLeak: a known leak is flagged and its interval holds the true value; flat memory is not flagged', () => {
  const leaking = judgeLeak(points(40, 2, 3), 'worker');
  assert.equal(leaking.leaks, true, leaking.text);
  assert.ok(leaking.ci![0] <= 200 && 200 <= leaking.ci![1], leaking.text);
  assert.match(leaking.text, /^leaks \d+\.\d MB per 100 sessions \[\d+\.\d, \d+\.\d\]/);
  const flat = judgeLeak(points(40, 2, 3), 'job');
  assert.equal(flat.leaks, false, flat.text);
  assert.match(flat.text, /^no leak above \d+\.\d MB per 100 sessions detectable in this run/);
  const few = judgeLeak(points(5, 2, 0), 'worker');
  assert.equal(few.leaks, false);
  assert.match(few.text, /^not judged: 4 completed sessions after warm-up/);
});

test('judgeLeak: two allocator steps in a short soak are not a leak (plain OLS called it 31 MB per 100 sessions [26, 36])', () => {
  // Flat memory with two 3 MB steps, as a Python worker's PSS moves without leaking.
  const stairs: SoakPoint[] = Array.from({ length: 30 }, (_, i) => {
    const k = i + 1;
    return { completed: k, atS: k * 5, fixedPssBytes: (114 + (k > 14 ? 3 : 0) + (k > 24 ? 3 : 0)) * MB, jobPssBytes: null };
  });
  const v = judgeLeak(stairs, 'worker');
  assert.equal(v.leaks, false, v.text);
  assert.ok(v.rho! > 0.3, `steps make neighbouring residuals alike: ρ=${v.rho}`);
  // The bound it reports is honest about the short run: 16 MB over 23 sessions.
  assert.match(v.text, /^no leak above 69\.6 MB per 100 sessions detectable in this run .*widened for autocorrelation/);
});

test('the Python report client\'s histogram has the harness\'s buckets (so its stats merge)', () => {
  const values = [0, 0.05, 0.1, 0.1000001, 0.3, 1.25, 19.99, 2000, 2000.5, 3];
  const py = execFileSync('python3', ['-c', `import json,sys; sys.path.insert(0, ${JSON.stringify(path.join(paths.root, 'agents-py'))}); from voiceload_report import Histogram; h = Histogram(); [h.record(v) for v in ${JSON.stringify(values)}]; print(json.dumps(h.data()))`], { encoding: 'utf8' });
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  assert.deepEqual(JSON.parse(py), h.toData());
});

test('the reference worker and its report client are in the repo where the runtime looks for them', () => {
  const agent = readFileSync(path.join(paths.root, 'agents-py', 'agent.py'), 'utf8');
  assert.match(agent, /prewarm_fnc=prewarm/);
  assert.match(agent, /VOICELOAD_TEST_LEAK_MB/);
});

test('the Node and Python reporters write protocol v1 lines the harness reads: job, joined, vad, job-end', { timeout: 30_000 }, async () => {
  const got: WorkerReport[] = [];
  const server = await ReportServer.listen((r) => got.push(r));
  try {
    const ctx = { job: { metadata: JSON.stringify({ session: 3, userIdentity: 'user-3', agentIdentity: 'agent-3', toneHz: 440 }), id: 'AJ_node' } };
    process.env.VOICELOAD_REPORT_SOCKET = server.socketPath;
    const mod = (await import(pathToFileURL(path.join(paths.root, 'reporters', 'voiceload-report.mjs')).href)) as { reportJob(c: unknown): { joined(): void; vad(k: string, ms: number): void; jobEnd(r: string): void; close(): void } };
    const rep = mod.reportJob(ctx);
    rep.joined();
    rep.vad('start', 1500);
    rep.jobEnd('user left');
    rep.close();
    const py = `import sys, types; sys.path.insert(0, ${JSON.stringify(path.join(paths.root, 'agents-py'))})
from voiceload_report import report_job
ctx = types.SimpleNamespace(job=types.SimpleNamespace(metadata='{"session": 4}', id='AJ_py'))
rep = report_job(ctx); rep.joined(); rep.vad("end", 2500.0); rep.job_end("user left"); rep.close()`;
    execFileSync('python3', ['-c', py], { env: { ...process.env, VOICELOAD_WORKER_INDEX: '1' } });
    const deadline = Date.now() + 5000;
    while (got.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    delete process.env.VOICELOAD_REPORT_SOCKET;
    await server.close();
  }
  for (const [session, jobId, kind] of [[3, 'AJ_node', 'start'], [4, 'AJ_py', 'end']] as const) {
    const mine = got.filter((r) => 'session' in r && r.session === session);
    const job = mine.find((r) => r.type === 'job');
    assert.ok(job && job.type === 'job' && job.jobId === jobId && typeof job.pid === 'number' && (job as { v?: number }).v === 1, JSON.stringify(mine));
    assert.ok(mine.some((r) => r.type === 'agent' && r.msg.type === 'joined'), JSON.stringify(mine));
    assert.ok(mine.some((r) => r.type === 'agent' && r.msg.type === 'vad' && r.msg.kind === kind && r.msg.audioMs > 1000), JSON.stringify(mine));
    assert.ok(mine.some((r) => r.type === 'job-end' && r.reason === 'user left'), JSON.stringify(mine));
  }
});

test('soakPoints: one point per session its user ended, from the next worker sample: main + inference PSS, a busy job process\'s mean', () => {
  const part = (pssMb: number, processes = 1) => ({ processes, cpuCores: 0, rssBytes: 0, pssBytes: pssMb * MB });
  const usage = (at: number, mainMb: number, busy: number) => ({ at, main: part(mainMb), inference: part(10), busy: part(100 * busy, busy), idle: part(500, 2), other: part(150) });
  const s = (i: number, endedAt: number, userLeftAt: number | null) => ({ session: i, room: `r${i}`, dispatchAt: 0, dispatchError: null, worker: 0, jobPid: 100 + i, jobAt: 1, joinedAt: 2, userLeftAt, endedAt, endReason: 'user left', lost: false, redispatch: null, retries: [] });
  const input = {
    runtime: 'python' as const, agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: false,
    pool: { runtime: 'python' as const, workers: 1, loadFunc: 'jobs:8', loadThreshold: 1, workerCmd: null, sessionLengthS: 6, sessionLengthMaxS: 14, arrival: { mode: 'poisson' as const, ratePerS: 0.25 }, drill: null, refuseWhenFull: false },
    workers: [{ index: 0, pid: 1, healthPort: 1, startedAt: 0, readyAt: 1, registeredAt: 1, exit: null, loads: [], requests: [], health: [], usage: [usage(1000, 100, 2), usage(2000, 102, 1), usage(3000, 104, 0)], drill: null, survivors: [], logErrors: [] }],
    // Session 2 ended before session 1; session 3 was cut by the run's end (its user never hung up).
    sessions: [s(1, 1900, 1800), s(2, 900, 800), s(3, 2500, null)],
  };
  assert.deepEqual(soakPoints(input, 0), [
    { completed: 1, atS: 0.9, fixedPssBytes: 110 * MB, jobPssBytes: 100 * MB },
    { completed: 2, atS: 1.9, fixedPssBytes: 112 * MB, jobPssBytes: 100 * MB },
  ]);
});

/**
 * Runs the reference worker's harness watch in `python3` behind `sh -c` (no exec), as a byo worker
 * runs, with VOICELOAD_HARNESS_PID = `harness`; resolves with the SIGTERMs it got by `untilMs`, after
 * `during()` ran (it may kill the shell, or the stand-in harness).
 */
async function sigtermsSeen(harness: number, during: (shell: number) => void, untilMs: number): Promise<number> {
  const py = `import os, signal, sys, time; sys.path.insert(0, ${JSON.stringify(path.join(paths.root, 'agents-py'))})
from harness_watch import watch_harness
got = []
signal.signal(signal.SIGTERM, lambda *_: got.append(1))
watch_harness(every_s=0.1)
print("ready", flush=True)
time.sleep(${untilMs / 1000})
print(len(got), flush=True)`;
  const shell = spawn('/bin/sh', ['-c', `python3 -c '${py.replace(/'/g, `'\\''`)}'; true`], { env: { ...process.env, VOICELOAD_HARNESS_PID: String(harness) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve) => shell.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('ready') && resolve())));
  during(shell.pid!);
  await new Promise((r) => shell.stdout.once('end', r));
  return Number(out.trim().split('\n').pop());
}

test('harness watch: the shell in front of the worker dying (the same SIGTERM starts the drain) sends it no second SIGTERM; the harness going sends exactly one', { timeout: 30_000 }, async () => {
  // Before: it watched its parent, so the dead shell made it SIGTERM itself during the drain
  // ("exiting forcefully", issue 13).
  const shellDies = await sigtermsSeen(process.pid, (shell) => process.kill(shell, 'SIGKILL'), 1500);
  assert.equal(shellDies, 0, 'the worker signalled itself although the harness is alive');
  const standIn = spawn('sleep', ['30'], { stdio: 'ignore' });
  const harnessDies = await sigtermsSeen(standIn.pid!, () => standIn.kill('SIGKILL'), 1500);
  assert.equal(harnessDies, 1, 'the worker did not stop (once) when the harness was gone');
});

test('a Python venv that cannot be built stops `scenario --runtime python --no-netns` before its run: no server, no report folder, the reason said', { timeout: 120_000 }, async () => {
  // The venv is made before the run's clock starts in every mode, so a first-use install never eats the
  // ramp or the window. Here it fails (the interpreter is `false`): nothing may have started.
  const dir = tmp();
  const out = path.join(dir, 'report');
  const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache'), LIVEKIT_SERVER_BIN: await provisionServer(() => undefined), VOICELOAD_PYTHON: '/bin/false' };
  const run = await runCli(['scenario', 'voice-2', '--runtime', 'python', '--no-netns', '--out', out], env);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /creating the Python venv failed \(exit 1\)/);
  assert.doesNotMatch(run.stderr, /report in|partitioned/, run.stderr);
  assert.equal(existsSync(out), false, 'a report folder was left behind');
});
