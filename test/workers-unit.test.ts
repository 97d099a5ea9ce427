/**
 * Unit tests of the worker runtimes' parts that need no server: scenario keys and flags, the
 * process-tree split, the drill target, the report socket, the worker book, and the summary's
 * figures against hand-computed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { UsageError } from '../harness/common/errors.js';
import { workersSection } from '../harness/report/workers-md.js';
import { SessionBook } from '../harness/sessions/book.js';
import { validateScenario } from '../harness/scenario/schema.js';
import { ReportClient, ReportServer } from '../harness/runtimes/workers/channel.js';
import { drillTarget } from '../harness/runtimes/workers/drills.js';
import type { WorkerReport } from '../harness/runtimes/workers/messages.js';
import type { ProcInfo } from '../harness/proc/tree.js';
import { summarizeWorkers } from '../harness/runtimes/workers/summary.js';
import type { WorkerRecord, WorkerSession, WorkersInput, WorkerUsage } from '../harness/runtimes/workers/types.js';
import { WorkerBook } from '../harness/runtimes/workers/worker-book.js';
import { classify } from '../harness/runtimes/workers/worker-sampler.js';

function usage(fn: () => unknown, want: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'));
    assert.match(err.message, want);
    return true;
  });
}

test('pool keys: defaults for bare and framework, and --worker-cmd implies byo', () => {
  assert.equal(validateScenario({ name: 'n' }, 'f.ts').pool.runtime, 'bare');
  const fw = validateScenario({ name: 'n', runtime: 'framework' }, 'f.ts').pool;
  assert.deepEqual(fw, { runtime: 'framework', workers: 1, loadFunc: 'cpu', loadThreshold: 0.7, workerCmd: null, sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: null, refuseWhenFull: false });
  const flags = parseScenarioArgs(['pool', '--worker-cmd', 'node w.js start', '--workers', '3']);
  assert.deepEqual(flags.overrides, { runtime: 'byo', workerCmd: 'node w.js start', workers: 3 });
  const byo = validateScenario({ name: 'n', ...flags.overrides }, 'f.ts').pool;
  assert.equal(byo.runtime, 'byo');
  assert.equal(byo.workers, 3);
  const p = validateScenario({ name: 'n', runtime: 'framework', workers: 2, arrival: 'poisson:0.5/s', drill: { kind: 'rollout', at: '15s' }, sessionLength: '20s' }, 'f.ts').pool;
  assert.deepEqual(p.arrival, { mode: 'poisson', ratePerS: 0.5 });
  assert.deepEqual(p.drill, { kind: 'rollout', atS: 15 });
  assert.equal(p.sessionLengthS, 20);
});

test('pool keys: bad values are one clear line', () => {
  const v = (extra: Record<string, unknown>) => () => validateScenario({ name: 'n', ...extra }, 'scenarios/n.ts');
  usage(v({ runtime: 'docker' }), /'runtime' must be one of bare, framework, python, byo/);
  usage(v({ runtime: 'byo' }), /needs a worker command: pass --worker-cmd/);
  usage(v({ runtime: 'framework', workerCmd: 'x' }), /must be 'byo', not 'framework'/);
  usage(v({ workers: 2 }), /'workers' needs runtime 'framework', 'python', 'byo' or 'container'/);
  usage(v({ runtime: 'framework', workers: 0 }), /'workers' must be a whole number from 1 to 16/);
  usage(v({ runtime: 'framework', loadFunc: 'mem' }), /'loadFunc' must be 'cpu' or 'jobs:N'/);
  usage(v({ runtime: 'framework', loadThreshold: 0 }), /'loadThreshold' must be a number above 0/);
  usage(v({ runtime: 'framework', arrival: 'poisson' }), /'arrival' must be 'step' or 'poisson:R\/s'/);
  usage(v({ runtime: 'framework', drill: { kind: 'rollout', at: '5s' } }), /needs at least 2 workers/);
  usage(v({ runtime: 'framework', workers: 2, drill: { kind: 'reboot', at: '5s' } }), /'drill' must be/);
  usage(v({ sessionLength: '20s' }), /need runtime 'framework', 'python', 'byo' or 'container'/);
  usage(() => parseScenarioArgs(['pool', '--load-threshold', 'high']), /--load-threshold: 'high' must be a number above 0 and at most 1/);
});

test('classify: a worker tree splits into main, inference, busy and idle job processes, and other', () => {
  const procs: ProcInfo[] = [
    { pid: 10, ppid: 1, pgid: 10, cmd: 'node framework-worker.js start' },
    { pid: 11, ppid: 10, pgid: 10, cmd: 'node .../ipc/inference_proc_lazy_main.js' },
    { pid: 12, ppid: 10, pgid: 10, cmd: 'node .../ipc/job_proc_lazy_main.js agent.js' },
    { pid: 13, ppid: 10, pgid: 10, cmd: 'node .../ipc/job_proc_lazy_main.js agent.js' },
    { pid: 14, ppid: 12, pgid: 10, cmd: 'ffmpeg' },
    { pid: 15, ppid: 10, pgid: 10, cmd: 'sh -c helper' },
    { pid: 20, ppid: 1, pgid: 20, cmd: 'unrelated' },
  ];
  const parts = classify(10, procs, new Set([12]));
  assert.deepEqual(parts, { main: [10], inference: [11], busy: [12, 14], idle: [13], other: [15] });
});

test('drillTarget: the live worker with the most jobs, lowest index on a tie', () => {
  assert.equal(drillTarget([{ worker: 0, alive: true, jobs: 1 }, { worker: 1, alive: true, jobs: 2 }]), 1);
  assert.equal(drillTarget([{ worker: 0, alive: true, jobs: 1 }, { worker: 1, alive: true, jobs: 1 }]), 0);
  assert.equal(drillTarget([{ worker: 0, alive: false, jobs: 3 }, { worker: 1, alive: true, jobs: 0 }]), 1);
  assert.equal(drillTarget([{ worker: 0, alive: false, jobs: 3 }]), null);
});

test('report socket: lines written by a client arrive parsed, in order; junk is dropped', async () => {
  const got: WorkerReport[] = [];
  const server = await ReportServer.listen((r) => got.push(r));
  const client = new ReportClient(server.socketPath);
  client.send({ type: 'load', worker: 1, at: 5, load: 0.25, activeJobs: 1 });
  client.send({ type: 'job-end', worker: 1, at: 9, session: 3, reason: 'user left' });
  await client.close();
  const deadline = Date.now() + 2000;
  while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.close();
  assert.deepEqual(got.map((r) => r.type), ['load', 'job-end']);
  // A client with no socket is a no-op, never an error in the agent.
  new ReportClient(undefined).send({ type: 'load', worker: 0, at: 0, load: 0, activeJobs: 0 });
});

/** Two workers and session 0 in room r0, on a SessionBook of its own. */
function twoWorkers(): { book: SessionBook; wb: WorkerBook; s: ReturnType<WorkerBook['addSession']> } {
  const book = new SessionBook();
  book.add(0, 'r0');
  const wb = new WorkerBook(book);
  wb.addWorker(0, 100, 8081, 0);
  wb.addWorker(1, 200, 8082, 0);
  return { book, wb, s: wb.addSession(0, 'r0') };
}

test('WorkerBook: job reports fill the session, agent messages reach the SessionBook, a lost session keeps its re-dispatch apart', () => {
  const { book, wb, s } = twoWorkers();
  wb.report({ type: 'request', worker: 0, at: 1, session: 0, load: 0.5, activeJobs: 0, accepted: true });
  wb.report({ type: 'job', worker: 0, at: 2, session: 0, pid: 101, jobId: 'AJ_1' });
  wb.report({ type: 'agent', worker: 0, session: 0, msg: { type: 'joined', at: 3 } });
  assert.deepEqual([s.worker, s.jobPid, s.jobAt, s.joinedAt], [0, 101, 2, 3]);
  assert.equal(book.get(0)!.agentJoinedAt, 3);
  assert.deepEqual(wb.running(0).map((x) => x.session), [0]);
  assert.deepEqual([...wb.busyPids()], [101]);
  s.lost = true;
  s.redispatch = { at: 4, worker: null, joinedAt: null };
  wb.report({ type: 'job', worker: 1, at: 5, session: 0, pid: 201, jobId: 'AJ_2' });
  wb.report({ type: 'agent', worker: 1, session: 0, msg: { type: 'joined', at: 6 } });
  assert.deepEqual(s.redispatch, { at: 4, worker: 1, joinedAt: 6 });
  assert.equal(s.worker, 0, 'the first job stays the record of where the session ran');
  assert.equal(book.get(0)!.agentJoinedAt, 3, "the re-dispatched agent's messages are not mixed into the session's QoS");
  assert.deepEqual(wb.running(0), []);
});

test('WorkerBook: a session lost before its first agent joined is measured from its re-dispatched agent (it did join)', () => {
  const { book, wb, s } = twoWorkers();
  wb.report({ type: 'job', worker: 0, at: 2, session: 0, pid: 101, jobId: 'AJ_1' });
  // Worker 0 is killed before its agent joined; the room is dispatched again and worker 1's agent joins.
  s.lost = true;
  s.redispatch = { at: 4, worker: null, joinedAt: null };
  wb.report({ type: 'job', worker: 1, at: 5, session: 0, pid: 201, jobId: 'AJ_2' });
  wb.report({ type: 'agent', worker: 1, session: 0, msg: { type: 'joined', at: 6 } });
  wb.report({ type: 'agent', worker: 1, session: 0, msg: { type: 'vad', kind: 'start', at: 7, audioMs: 500 } });
  assert.deepEqual(s.redispatch, { at: 4, worker: 1, joinedAt: 6 });
  assert.equal(s.joinedAt, null, 'the first job never had an agent in the room');
  assert.equal(book.get(0)!.agentJoinedAt, 6);
  assert.deepEqual(book.get(0)!.vadStarts, [7]);
});

test('WorkerBook: a session counts as taken only by an offer a worker accepted since the given dispatch', () => {
  const wb = new WorkerBook(new SessionBook());
  wb.addWorker(0, 100, 8081, 0);
  wb.addWorker(1, 200, 8082, 0);
  wb.addSession(0, 'r0');
  assert.equal(wb.acceptedSince(0, 0), false, 'no offer yet: a lost offer, the room may be dispatched again');
  wb.report({ type: 'request', worker: 0, at: 10, session: 0, load: 1, activeJobs: 2, accepted: false });
  assert.equal(wb.acceptedSince(0, 0), false, 'a refused offer is not a job');
  wb.report({ type: 'request', worker: 1, at: 20, session: 0, load: 0.5, activeJobs: 1, accepted: true });
  wb.report({ type: 'request', worker: 1, at: 21, session: 1, load: 0.5, activeJobs: 1, accepted: true });
  assert.equal(wb.acceptedSince(0, 15), true);
  assert.equal(wb.acceptedSince(0, 25), false, 'accepted before the current dispatch (an earlier, withdrawn one)');
  assert.equal(wb.acceptedSince(2, 0), false);
});

const part = (cpuCores: number, pssMb: number, processes = 1) => ({ processes, cpuCores, rssBytes: pssMb * 2 ** 20, pssBytes: pssMb * 2 ** 20 });
const usageAt = (at: number, busy: number): WorkerUsage => ({ at, main: part(0.02, 80), inference: part(0, 250), busy: busy ? part(0.2 * busy, 130 * busy, busy) : part(0, 0, 0), idle: part(0.01, 100, 2), other: part(0, 0, 0) });

function worker(index: number, extra: Partial<WorkerRecord> = {}): WorkerRecord {
  return { index, pid: 100 + index, healthPort: 9000 + index, startedAt: 0, readyAt: 2000, registeredAt: null, exit: null, loads: [], requests: [], health: [], usage: [], drill: null, survivors: [], logErrors: [], ...extra };
}

function session(i: number, extra: Partial<WorkerSession>): WorkerSession {
  return { session: i, room: `r${i}`, dispatchAt: null, dispatchError: null, worker: null, jobPid: null, jobAt: null, joinedAt: null, userLeftAt: null, endedAt: null, endReason: null, lost: false, redispatch: null, retries: [], ...extra };
}

test('summarizeWorkers: rollout drain, grace period, jobs over time, admissions over threshold, load beside CPU', () => {
  const w0 = worker(0, {
    drill: { kind: 'rollout', at: 10_000, sessionsRunning: [0] },
    exit: { code: 130, signal: null, at: 22_500 },
    usage: [usageAt(1000, 0), usageAt(5000, 1), usageAt(9000, 1)],
    loads: [{ at: 5000, load: 0.5, activeJobs: 1 }, { at: 9000, load: 1, activeJobs: 2 }],
    requests: [{ at: 2000, session: 0, load: null, activeJobs: 0, accepted: true }, { at: 9500, session: 2, load: 0.5, activeJobs: 2, accepted: true }, { at: 9600, session: 3, load: 1, activeJobs: 1, accepted: false }],
    health: [{ worker: 0, at: 3000, status: 200, latencyMs: 4, message: 'OK', activeJobs: 1 }, { worker: 0, at: 4000, status: 503, latencyMs: 8, message: 'not connected to livekit', activeJobs: 1 }, { worker: 0, at: 5000, status: null, latencyMs: null, message: 'refused', activeJobs: null }],
  });
  const w1 = worker(1, { exit: { code: 143, signal: null, at: 40_000 } });
  const input: WorkersInput = {
    runtime: 'framework', agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: true, workers: [w0, w1],
    pool: { runtime: 'framework', workers: 2, loadFunc: 'jobs:2', loadThreshold: 1, workerCmd: null, sessionLengthS: 20, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: { kind: 'rollout', atS: 10 }, refuseWhenFull: false },
    sessions: [
      session(0, { dispatchAt: 1000, worker: 0, jobAt: 2000, joinedAt: 2500, userLeftAt: 22_300, endedAt: 22_400, endReason: 'user left' }),
      session(1, { dispatchAt: 1000, worker: 1, jobAt: 3000, joinedAt: 3500, userLeftAt: 23_400, endedAt: 23_500, endReason: 'user left' }),
      session(2, { dispatchAt: 12_000, worker: 1, jobAt: 13_000, joinedAt: 14_000 }),
    ],
  };
  const r = summarizeWorkers(input, 0, 40_000, [{ at: 5000, cores: 1.5 }, { at: 9000, cores: 2 }]);
  assert.deepEqual(r.drain, { worker: 0, atS: 10, sessionsRunning: 1, completed: 1, cut: 0, newJobsAfter: 0, drainS: 12.5, exit: { code: 130, signal: null }, lastSessionEndS: 12.4, overheadS: 12.5 - 12.4 });
  // Longest hung-up session: 23.5 - 3.5 = 20 s; plus 0.1 s overhead, rounded up.
  assert.equal(r.grace.longestSessionS, 20);
  assert.equal(r.grace.recommendedS, 21);
  assert.equal(r.warning !== null, true);
  assert.deepEqual(r.jobsOverTime.rows.find((x) => x.tS === 15)?.perWorker, [1, 2]);
  assert.deepEqual(r.jobsOverTime.rows.find((x) => x.tS === 25)?.perWorker, [0, 1]);
  const p0 = r.perWorker[0]!;
  // jobs:2 with 2 jobs running at the second offer: load 1 >= 1, though it had last reported 0.5.
  assert.equal(p0.admittedOverThreshold, 1);
  assert.equal(p0.admittedWhileReportedFull, 0);
  assert.deepEqual([p0.health.ok, p0.health.notOk, p0.health.unreachable], [1, 1, 1]);
  // Load pairs: (0.5 with tree 0.02+0+0.2+0.01 = 0.23 cores), (1 with the same) over 2 host cores.
  assert.equal(p0.load!.pairs, 2);
  assert.equal(p0.load!.reported, 0.75);
  assert.ok(Math.abs(p0.load!.treeShare! - 0.115) < 1e-9);
  assert.ok(Math.abs(p0.load!.hostShare! - 0.875) < 1e-9);
  // Per job: 0.2 cores and 130 MB per busy process, over the two samples with a job running.
  assert.ok(Math.abs(r.perJob.cpuCores! - 0.2) < 1e-9);
  assert.equal(r.perJob.pssBytes, 130 * 2 ** 20);
  // Linear interpolation over [1500, 2000, 2500]: rank 0.95 x 2 = 1.9, so 2000 + 0.9 x 500.
  assert.deepEqual(r.dispatch.toAgentInRoomMs, { p50: 2000, p95: 2450, max: 2500 });
});

test('summarizeWorkers: failover counts lost sessions, re-dispatch time and rooms that avoided the dead worker', () => {
  const w0 = worker(0, { drill: { kind: 'failover', at: 10_000, sessionsRunning: [0, 1] }, exit: { code: null, signal: 'SIGKILL', at: 10_050 } });
  const input: WorkersInput = {
    runtime: 'framework', agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: false, workers: [w0, worker(1)],
    pool: { runtime: 'framework', workers: 2, loadFunc: 'jobs:4', loadThreshold: 1, workerCmd: null, sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: { kind: 'failover', atS: 10 }, refuseWhenFull: false },
    sessions: [
      session(0, { dispatchAt: 1000, worker: 0, jobAt: 2000, joinedAt: 2500, lost: true, redispatch: { at: 10_010, worker: 1, joinedAt: 10_600 } }),
      session(1, { dispatchAt: 1000, worker: 0, jobAt: 2100, joinedAt: 2600, lost: true, redispatch: { at: 10_010, worker: 1, joinedAt: null } }),
      session(2, { dispatchAt: 14_000, worker: 1, jobAt: 15_000, joinedAt: 15_500 }),
    ],
  };
  const r = summarizeWorkers(input, 0, 30_000, []);
  assert.deepEqual(r.failover, { worker: 0, atS: 10, lost: 2, redispatched: 2, redispatchToAgentMs: { p50: 600, p95: 600, max: 600 }, redispatchUnanswered: 1, newRoomsAfter: 1, newRoomsOnKilled: 0, survivors: 0 });
  assert.equal(r.warning, null);
  assert.equal(r.grace.recommendedS, null, 'no session was hung up: no length measured');
  assert.deepEqual(r.perWorker.map((p) => p.jobs), [2, 3]);
});

test('workersSection: a run with workers has the workers section, with the production-pool warning when external', () => {
  const input: WorkersInput = {
    runtime: 'byo', agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: true, workers: [worker(0)], sessions: [],
    pool: { runtime: 'byo', workers: 1, loadFunc: 'cpu', loadThreshold: 0.7, workerCmd: 'x', sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: null, refuseWhenFull: false },
  };
  const workers = summarizeWorkers(input, 0, 10_000, []);
  assert.equal(workers.loadFunc, 'set in your worker');
  const text = workersSection(workers).join('\n');
  assert.match(text, /^## Agent workers/);
  assert.match(text, /> \*\*Warning:\*\* .*joins the production pool/);
  assert.match(text, /worker\(s\) of your own command/);
  assert.doesNotMatch(text, /undefined|NaN/);
});

test('summarizeWorkers: in a burst, offers accepted past jobs:N count as over the threshold though the framework saw no job yet', () => {
  const w0 = worker(0, { requests: [0, 1, 2].map((i) => ({ at: 1000 + i, session: i, load: 0, activeJobs: 0, accepted: true })) });
  const input: WorkersInput = {
    runtime: 'framework', agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: false, workers: [w0],
    pool: { runtime: 'framework', workers: 1, loadFunc: 'jobs:2', loadThreshold: 1, workerCmd: null, sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: null, refuseWhenFull: false },
    sessions: [0, 1, 2].map((i) => session(i, { dispatchAt: 999, worker: 0, jobAt: 2000 })),
  };
  const p = summarizeWorkers(input, 0, 5000, []).perWorker[0]!;
  // Offers 0 and 1 found 0 and 1 accepted jobs (load 0, 0.5); offer 2 found 2 (load 1 >= 1).
  assert.equal(p.admittedOverThreshold, 1);
  assert.equal(p.admittedWhileReportedFull, 0);
});

test('summarizeWorkers: a refused offer taken by another worker counts as re-routed, with the time between', () => {
  const w0 = worker(0, { requests: [{ at: 1000, session: 0, load: 0, activeJobs: 0, accepted: true }, { at: 1010, session: 1, load: 0, activeJobs: 1, accepted: false }, { at: 1020, session: 2, load: 0, activeJobs: 1, accepted: false }] });
  const w1 = worker(1, { requests: [{ at: 1050, session: 1, load: 0, activeJobs: 0, accepted: true }] });
  const input: WorkersInput = {
    runtime: 'framework', agentName: 'a', placeBoundS: 10, hostCores: 2, externalServer: false, workers: [w0, w1],
    pool: { runtime: 'framework', workers: 2, loadFunc: 'jobs:1', loadThreshold: 1, workerCmd: null, sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: null, refuseWhenFull: true },
    sessions: [],
  };
  assert.deepEqual(summarizeWorkers(input, 0, 5000, []).routing, { refusedOffers: 2, reroutedSessions: 1, rerouteMs: { p50: 40, p95: 40, max: 40 }, unplaced: 1 });
});
