/**
 * LiveKit Agents for Python workers end to end, for real, against a local livekit-server in a
 * private namespace: `--runtime python` (the venv is made on first use), the plain byo
 * command behind a shell, and the soak twice — with the reference agent's test-only leak (it must be
 * flagged, its interval must hold the true value) and without (it must not be). Behaviour, never speed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { judgeLeak } from '../harness/capacity/leak.js';
import { paths } from '../harness/common/paths.js';
import type { RunResult } from '../harness/results/types.js';
import { provisionPythonAgents } from '../harness/runtimes/python/provision.js';
import { HOST_LOAD_REASONS, leftoverNamespaces, runCli, runProcesses, startCli, untilLive } from './support/cli.js';
import { testDir } from './support/tmp.js';


async function run(name: string, extra: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ r: RunResult; out: string }> {
  const out = path.join(testDir(`vl-py-${name}-`), 'report');
  const cli = await runCli(['scenario', name, '--out', out, ...extra], env);
  assert.ok(cli.code === 0 || cli.code === 3, `exit ${cli.code}\n${cli.stderr}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  for (const why of r.invalidReasons) assert.match(why, HOST_LOAD_REASONS, `the run is invalid for a reason that is not the host's load: ${why}`);
  assert.ok(r.workers, 'results.json has no workers section');
  assert.deepEqual(runProcesses(), [], 'a process of the run outlived it');
  assert.deepEqual(leftoverNamespaces(), []);
  return { r, out };
}

test('--runtime python: voice-2 with the Python reference worker; registered before dispatch, per-job cost split, drained on SIGTERM', { timeout: 600_000 }, async () => {
  const { r } = await run('voice-2', ['--runtime', 'python']);
  const w = r.workers!;
  assert.equal(w.runtime, 'python');
  assert.equal(r.sessions.joined, 2);
  assert.equal(w.dispatch.placement.redispatches, 0, 'a room needed a re-dispatch although the worker had registered');
  const p = w.perWorker[0]!;
  assert.ok(p.registeredS !== null && p.readyS !== null && p.registeredS >= p.readyS, `ready ${p.readyS} s, registered ${p.registeredS} s`);
  assert.ok(w.perJob.pssBytes !== null && w.perJob.cpuCores !== null, `no per-job cost: ${w.perJob.basis}`);
  assert.ok(w.fixedPerWorker.pssBytes !== null);
  assert.ok(r.qos.vad.segmentsDetected > 0, 'the Python VAD found no speech');
  assert.equal(p.survivors, 0);
  assert.equal(p.exit?.code, 0, `the worker did not drain and exit on SIGTERM: ${JSON.stringify(p.exit)}`);
});

test('byo: a plain `python agent.py start` behind a shell joins every session on the first try and drains', { timeout: 600_000 }, async () => {
  const python = await provisionPythonAgents(() => undefined);
  // A compound command: the shell stays the worker's parent (no exec), as in the issue.
  const cmd = `cd ${path.join(paths.root, 'agents-py')} && ${python} agent.py start`;
  const { r } = await run('voice-2', ['--worker-cmd', cmd]);
  const w = r.workers!;
  assert.equal(r.sessions.joined, 2);
  assert.equal(w.dispatch.placement.redispatches, 0);
  assert.ok(w.perWorker[0]!.registeredS !== null, 'the byo worker\'s registration was not seen in its log');
  assert.equal(w.perWorker[0]!.survivors, 0, 'processes of the worker group outlived it: the worker never drained');
});

test('byo: Ctrl-C (SIGINT to the whole group, as a terminal sends it) drains the plain Python worker behind its shell; nothing outlives it', { timeout: 600_000 }, async () => {
  const python = await provisionPythonAgents(() => undefined);
  const cmd = `cd ${path.join(paths.root, 'agents-py')} && ${python} agent.py start`;
  const out = path.join(testDir('vl-py-int-'), 'report');
  const run = startCli(['scenario', 'voice-2', '--duration', '120s', '--worker-cmd', cmd, '--out', out]);
  const samples = path.join(out, 'samples.jsonl');
  await untilLive(run.proc, samples, 2, 3, 480);
  process.kill(-run.proc.pid!, 'SIGINT');
  const done = await run.done;
  assert.equal(done.code, 105, done.stderr);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  assert.equal(r.interrupted, true);
  // The shell in front of the worker dies of the SIGTERM at once (its exit is what the report shows);
  // the Python worker behind it, signalled with its group, drains and exits by itself.
  const log = readFileSync(path.join(out, 'worker-0.log'), 'utf8');
  assert.match(log, /"draining worker"[\s\S]*"shutting down worker"/, 'the Python worker never drained');
  // A second signal during the drain (it once came from the worker's own watch of its parent, the
  // shell that had just died) makes LiveKit's worker exit at once.
  assert.doesNotMatch(log, /"exiting forcefully"/, 'the worker got a second signal during its drain');
  assert.equal(r.workers!.perWorker[0]!.survivors, 0, 'processes of the worker group outlived it and were killed: it never finished draining');
  assert.deepEqual(runProcesses(), [], 'a process of the run outlived it');
  assert.deepEqual(leftoverNamespaces(), []);
});

const LEAK_MB = 2;
/** The worker's own slope over a soak without the leak: its growth that is not the switch's. */
let ownGrowth: [number, number] | null = null;

test('soak without the leak: not flagged', { timeout: 600_000 }, async () => {
  const { r } = await run('soak', []);
  const v = judgeLeak(r.workers!.soak!.points, 'worker');
  assert.equal(v.leaks, false, v.text);
  assert.ok(v.ci !== null, v.text);
  assert.equal(judgeLeak(r.workers!.soak!.points, 'job').leaks, false);
  ownGrowth = v.ci;
});

// The worker grows a little per session without any leak (job records, arenas: a few MB per 100
// sessions, inside the no-leak run's interval). The leak run measures that plus the switch's, so
// what holds the true value is its interval less the no-leak run's: [lo − ownHi, hi − ownLo], a
// conservative interval for the difference of the two slopes. (Without the run above: [0, 0].)
test(`soak with the reference agent's test-only leak (${LEAK_MB} MB per session): flagged, and its interval less the worker's own growth holds the true value`, { timeout: 600_000 }, async () => {
  const { r, out } = await run('soak', [], { ...process.env, VOICELOAD_TEST_LEAK_MB: String(LEAK_MB) });
  const points = r.workers!.soak!.points;
  const v = judgeLeak(points, 'worker');
  assert.equal(v.leaks, true, v.text);
  const [ownLo, ownHi] = ownGrowth ?? [0, 0];
  const [lo, hi] = [v.ci![0] - ownHi, v.ci![1] - ownLo];
  assert.ok(lo <= LEAK_MB * 100 && LEAK_MB * 100 <= hi, `true leak ${LEAK_MB * 100} MB per 100 sessions outside [${lo.toFixed(1)}, ${hi.toFixed(1)}]: ${v.text}, less the worker's own growth [${ownLo.toFixed(1)}, ${ownHi.toFixed(1)}]`);
  assert.match(readFileSync(path.join(out, 'summary.md'), 'utf8'), /Workers' own memory .*: leaks \d/);
  assert.ok(readFileSync(path.join(out, 'charts', 'memory-vs-sessions.svg'), 'utf8').includes('<svg'));
});
