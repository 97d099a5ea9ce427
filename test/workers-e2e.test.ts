/**
 * Agent workers end to end, for real: the CLI runs the pool, rollout and failover scenarios with
 * @livekit/agents 1.9 workers registered with a local livekit-server in a private namespace, and a
 * byo worker command that dies at once. Asserts behaviour (where jobs went, what a drain kept, what a
 * crash lost, what was left running), never speed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../harness/results/types.js';
import { HOST_LOAD_REASONS, leftoverNamespaces, reportFiles, runCli, runProcesses, type CliRun } from './support/cli.js';
import { testDir } from './support/tmp.js';

/**
 * @livekit/agents 1.9's own sign that a job process could not start on the saturated agents' core
 * (one core of this 2-core host): it logs this, kills the process after 10 s and starts another.
 * Seen here with four VAD jobs on the core: the job taken next started 57 s after its dispatch.
 */
function starvedWorker(out: string, index: number): boolean {
  return /runner initialization timed out/.test(readFileSync(path.join(out, `worker-${index}.log`), 'utf8'));
}

/** What such a late job does to a run; tolerated only where a worker's log shows the starvation. */
const LATE_JOB_REASONS = /^(no samples after the last session joined|session \d+: agent did not join within \d+ s)$/;

async function scenario(name: string, extra: string[] = []): Promise<{ run: CliRun; r: RunResult; out: string }> {
  const out = path.join(testDir(`vl-${name}-`), 'report');
  const run = await runCli(['scenario', name, '--out', out, ...extra]);
  // Valid, or invalid only for this 2-core host's load (two framework workers and their inference
  // processes beside the server and generator): any other reason, or another exit code, fails.
  assert.ok(run.code === 0 || run.code === 3, `exit ${run.code}\n${run.stderr}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  const starved = (r.workers?.perWorker ?? []).some((p) => starvedWorker(out, p.index));
  for (const why of r.invalidReasons) {
    if (starved && LATE_JOB_REASONS.test(why)) continue;
    assert.match(why, HOST_LOAD_REASONS, `invalid for a reason that is not the host's load: ${why}`);
  }
  assert.equal(run.code === 0, r.invalidReasons.length === 0, 'exit 0 exactly when the run is valid');
  assert.ok(r.workers, 'results.json has no workers section');
  return { run, r, out };
}

function nothingLeft(): void {
  assert.deepEqual(runProcesses(), [], 'a process of the run outlived it');
  assert.deepEqual(leftoverNamespaces(), []);
}

test('pool: two framework workers both receive jobs, answer their health checks and report their load', { timeout: 300_000 }, async () => {
  const { r, out } = await scenario('pool');
  const w = r.workers!;
  assert.equal(r.sessions.joined, 4);
  assert.equal(w.perWorker.length, 2);
  for (const p of w.perWorker) {
    assert.ok(p.jobs >= 1, `worker ${p.index} got no job: ${JSON.stringify(w.perWorker.map((x) => x.jobs))}`);
    assert.ok(p.readyS !== null, `worker ${p.index} never answered healthy`);
    assert.ok(p.health.ok > 0 && p.health.latencyMs.p50 !== null, `worker ${p.index} health: ${JSON.stringify(p.health)}`);
    assert.ok(p.load && p.load.pairs > 0, `worker ${p.index} reported no load`);
    // A drained worker exits 143. With the agents' one core saturated, @livekit/agents 1.9 can keep
    // restarting a warm job process that never finishes starting ("runner initialization timed out"),
    // and its close waits on it past any grace period; the run then kills it and says so. Only that
    // named case may end in SIGKILL (nothingLeft() below checks that the kill left nothing).
    if (starvedWorker(out, p.index) && p.exit?.signal === 'SIGKILL') continue;
    assert.equal(p.exit?.code, 143, `worker ${p.index} did not exit as a drained worker on SIGTERM: ${JSON.stringify(p.exit)}`);
    assert.equal(p.survivors, 0);
  }
  assert.equal(w.dispatch.dispatched, 4);
  assert.ok(w.perJob.cpuCores !== null && w.perJob.pssBytes !== null && w.fixedPerWorker.pssBytes !== null);
  assert.match(readFileSync(path.join(out, 'summary.md'), 'utf8'), /## Agent workers/);
  // The workers' logs are in the report; the run's API secret is not in any of its files.
  const files = readdirSync(out);
  assert.ok(files.includes('worker-0.log') && files.includes('worker-1.log') && files.includes('workers.json'), files.join(' '));
  for (const f of reportFiles(out)) assert.doesNotMatch(readFileSync(path.join(out, f), 'utf8'), /LIVEKIT_API_SECRET\s*[=:]\s*\S|"apiSecret"|apiSecret\s*[:=]/, f);
  nothingLeft();
});

test('rollout: the SIGINTed worker takes no new job, lets its sessions finish, and exits', { timeout: 300_000 }, async () => {
  const { r } = await scenario('rollout');
  const w = r.workers!;
  const d = w.drain;
  assert.ok(d, 'no rollout drill in the result');
  const errors = JSON.stringify(w.perWorker[d.worker]?.logErrors);
  assert.ok(d.sessionsRunning >= 1, 'the drained worker had no session to keep');
  assert.equal(d.cut, 0, `a session was cut by the drain; the worker logged: ${errors}`);
  assert.equal(d.completed, d.sessionsRunning);
  assert.equal(d.newJobsAfter, 0);
  assert.ok(d.drainS !== null, `the drained worker never exited; it logged: ${errors}`);
  assert.equal(d.exit?.code, 130);
  assert.equal(r.sessions.joined, 4, 'the rooms dispatched after SIGINT did not all get an agent');
  assert.ok(w.grace.recommendedS !== null && w.grace.drainOverheadS !== null, w.grace.basis);
  for (const p of w.perWorker) assert.equal(p.survivors, 0);
  nothingLeft();
});

test('failover: the killed worker\'s sessions are lost and re-dispatched; new rooms land on the survivor', { timeout: 300_000 }, async () => {
  const { r } = await scenario('failover');
  const f = r.workers!.failover;
  assert.ok(f, 'no failover drill in the result');
  assert.ok(f.lost >= 1, 'the killed worker had no session');
  assert.equal(f.redispatched, f.lost);
  assert.equal(f.redispatchUnanswered, 0, 'a lost room never got a new agent');
  assert.ok(f.redispatchToAgentMs.max !== null);
  assert.equal(f.newRoomsAfter, 2);
  assert.equal(f.newRoomsOnKilled, 0);
  assert.equal(f.survivors, 0, 'a process of the killed worker survived SIGKILL of its group');
  assert.equal(r.sessions.joined, 4);
  nothingLeft();
});


test('burst: five rooms within a second to two workers full at two jobs: one admits past its threshold', { timeout: 300_000 }, async () => {
  const { r } = await scenario('burst');
  const w = r.workers!;
  assert.equal(w.dispatch.dispatched, 5);
  assert.ok(w.dispatch.firstToLastS !== null && w.dispatch.firstToLastS < 1, `the burst took ${w.dispatch.firstToLastS} s to dispatch`);
  assert.equal(r.sessions.joined, 5);
  assert.ok(w.dispatch.toAgentInRoomMs.p95 !== null);
  // Five jobs over two workers: one has three, and its third came past jobs:2 / threshold 1.
  const over = w.perWorker.reduce((n, p) => n + p.admittedOverThreshold, 0);
  assert.ok(over >= 1, JSON.stringify(w.perWorker.map((p) => [p.jobs, p.admittedOverThreshold])));
  nothingLeft();
});

test('reroute: workers refusing jobs over their threshold each run at most two, and the server places every room', { timeout: 300_000 }, async () => {
  const { r } = await scenario('reroute');
  const w = r.workers!;
  assert.equal(r.sessions.joined, 4, 'a room got no agent');
  // Without refusals the server's random routing puts 3+ of 4 jobs on one worker 10 times in 16.
  for (const p of w.perWorker) assert.ok(p.jobs <= 2, `worker ${p.index} ran ${p.jobs} jobs past jobs:2 / threshold 1`);
  assert.equal(w.routing.unplaced, 0, 'an offer was refused by every worker');
  assert.ok(w.routing.reroutedSessions <= w.routing.refusedOffers);
  nothingLeft();
});

test('byo: a worker command that exits at once is one clear line and exit 2', { timeout: 120_000 }, async () => {
  const out = path.join(testDir('vl-byo-'), 'report');
  const run = await runCli(['scenario', 'voice-2', '--worker-cmd', 'echo cannot start >&2; exit 3', '--out', out]);
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.trim().split('\n').filter((l) => l.includes('--worker-cmd'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /--worker-cmd "echo cannot start >&2; exit 3" exited with code 3 before its worker was up \(last output: cannot start;/);
  assert.ok(!readdirSync(out).includes('results.json'), 'a report was written for a run that never started');
  nothingLeft();
});
