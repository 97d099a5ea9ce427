import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from '../harness/results/aggregate.js';
import { pssBasisWords } from '../harness/results/pss-basis.js';
import { renderResultsJson } from '../harness/report/results-json.js';
import { renderSummary } from '../harness/report/summary-md.js';
import { writeRunReport } from '../harness/report/render.js';
import { defaultSizingInputs } from '../harness/capacity/inputs.js';
import type { RunInput } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import { at, baseInput, GB, hist, MB, near, range, samples, session, START } from './support/run-input.js';

test('aggregate: window, roles, system, sampler, per-session cost', () => {
  const r = aggregate(baseInput());
  assert.deepEqual(r.invalidReasons, []);
  assert.equal(r.valid, true);
  assert.equal(r.durationS, 60);
  assert.equal(r.startedAt, new Date(START).toISOString());
  assert.deepEqual(r.sessions, { requested: 2, joined: 2 });
  assert.deepEqual(r.server, { mode: 'local', version: '1.8.0' });
  assert.deepEqual({ ...r.window, basis: '' }, { fromS: 10, toS: 14, samples: 5, basis: '' });
  assert.equal(r.window.basis, 'samples from 10 s to 14 s, after every session had joined plus warm-up');

  const agents = r.roles?.agents;
  near(agents?.cpuCores.mean, 3); near(agents?.cpuCores.p95, 4.8); near(agents?.cpuCores.max, 5);
  near(agents?.rssBytes.mean, 300 * MB); near(agents?.pssBytes?.mean, 70 * MB); near(agents?.pssBytes?.max, 90 * MB);
  assert.equal(agents?.samples, 5);
  assert.equal(r.roles?.server.pssBytes, null, 'one null PSS in the window makes the role PSS null');
  assert.deepEqual(r.roles?.generator.pssBytes, { mean: 40 * MB, max: 40 * MB });
  assert.deepEqual(r.system?.cpuCores, { mean: 1, p95: 1, max: 1 });

  assert.equal(r.sampler.samples, 15);
  near(r.sampler.wallMs?.mean, 38 / 15); near(r.sampler.wallMs?.max, 10);
  assert.equal(r.sampler.maxIntervalMs, 1000);

  near(r.perSession.cpuCores, 3 / 1.6);
  near(r.perSession.rssBytes, (300 * MB) / 1.6);
  near(r.perSession.pssBytes, (70 * MB) / 1.6);
  assert.equal(r.perSession.kind, 'measured');
  assert.match(r.perSession.basis, /2 cores, 4 GB, Test CPU/);
  assert.match(r.perSession.basis, /samples from 10 s to 14 s/);
  assert.match(r.perSession.basis, /agent process trees only \(one process per agent\); the generator and server are not included/);
});

test('pssBasisWords: the share of PSS readings read rather than estimated; nothing when no sample estimated', () => {
  assert.equal(pssBasisWords([{ processes: 2, pssBytes: 1 }], "the agents'"), '');
  const w = pssBasisWords([
    { processes: 4, pssBytes: 1, pssEstimated: 3 },
    { processes: 4, pssBytes: 1, pssEstimated: 0 },
    { processes: 9, pssBytes: null, pssEstimated: 9 }, // no PSS at all: not a reading
  ], "the agents'");
  assert.match(w, /^; PSS: 62\.5 % of the agents' 8 process readings were read from smaps_rollup, the others estimated as/);
  assert.match(w, /at least every 60 s, and whenever its RSS moved by more than 10 % or the number of processes sampled by more than 10 %\)$/);
});

test('aggregate: the per-session basis says how much of the agents\' PSS was estimated', () => {
  assert.doesNotMatch(aggregate(baseInput()).perSession.basis, /PSS:/);
  const input = baseInput();
  for (const s of input.samples) s.roles.agents.pssEstimated = s.roles.agents.processes;
  assert.match(aggregate(input).perSession.basis, /; PSS: 0 % of the agents' \d+ process readings were read from smaps_rollup/);
});

test('aggregate: no per-session cost when less than one session was active on average (a soak\'s idle tail)', () => {
  const input = baseInput();
  // Sessions 2,2,2,1,1 in the window become 0,0,0,1,1 — 0.4 active on average.
  for (const s of input.samples) if (s.elapsedMs >= 10_000 && s.elapsedMs < 13_000) s.activeSessions = 0;
  const r = aggregate(input);
  assert.deepEqual([r.perSession.cpuCores, r.perSession.pssBytes, r.perSession.rssBytes], [null, null, null]);
  assert.match(r.perSession.basis, /^fewer than 1 session active on average in the window \(0\.4, samples from 10 s to 14 s/);
});

test('aggregate: latency histograms count only what came after the window opened', () => {
  const input = baseInput();
  const s0 = input.sessions[0]!;
  // At the window start session 0 had recorded 0.1 .. 4.0 ms (40 values); 4.1 .. 5.0 came after.
  s0.atWindowStart = { publishLate: hist(range(1, 40).map((i) => i * 0.1)), agentPublishLate: null, vadInferMs: null, agentLoopDelay: null };
  const { qos } = aggregate(input);
  // Left: 4.1..5.0 (10 values) from session 0 and 5.1..10.0 (50) from session 1: 60 values.
  // p50 = rank 30 -> 4.1 + 2.9 = 7.0 (the 30th value is 7.0); p99 = rank 59.4 -> bucket of 10.0.
  assert.deepEqual(qos.publishLateMs, { p50: 7, p99: 10, max: 10 });
});

test('aggregate: QoS by hand', () => {
  const { qos } = aggregate(baseInput());
  assert.equal(qos.vad.segmentsExpected, 16);
  assert.equal(qos.vad.segmentsDetected, 12);
  // The 4 missed onsets count as later than 1000 ms: p50 is rank 7.5 of 16 = (500 + 600) / 2, p95 lands on a miss.
  assert.deepEqual(qos.vad.onsetLagMs, { p50: 550, p95: 1000, p50Censored: false, p95Censored: true });
  assert.deepEqual(qos.vad.inferMs, { p50: 2, p95: 4 });
  assert.deepEqual(qos.agentAudio, {
    framesExpected: 3000, framesReceived: 2990, gapsOver100ms: 1, maxGapMs: 150, toneOk: false, sessionsHearingTone: 2, sessionsListening: 2, generatorStalls: 0,
  });
  assert.equal(qos.publishDroppedFrames, 0);
  assert.deepEqual(qos.publishLateMs, { p50: 5, p99: 9.9, max: 10 });
  assert.deepEqual(qos.agentPublishLateMs, { p50: 0.2, p99: 0.4, max: 0.4 });
});

test('aggregate: a session whose agent never joined', () => {
  const input = baseInput();
  input.requestedSessions = 3;
  input.sessions.push(session(2, {
    userJoinedAt: START + 1000, speech: { t0: START + 1000, loopMs: 10_000 }, vadStarts: at([11000, 21000]),
    agentAudio: { framesReceived: 0, framesExpected: 500, gapsOver100ms: 0, maxGapMs: 0, dominantHz: [] },
  }));
  const r = aggregate(input);
  assert.equal(r.sessions.joined, 2);
  assert.deepEqual(r.invalidReasons, ['2 of 3 sessions joined']);
  assert.equal(r.valid, false);
  assert.equal(r.qos.vad.segmentsExpected, 16, 'its onsets are not expected');
  assert.equal(r.qos.vad.segmentsDetected, 12);
  assert.equal(r.qos.agentAudio.framesExpected, 3000);
  assert.equal(r.qos.agentAudio.sessionsHearingTone, 2);
});

test('aggregate: tone checks', () => {
  const off = baseInput();
  const a1 = off.sessions[1]?.agentAudio;
  assert.ok(a1);
  a1.dominantHz = [440, 445.1];
  assert.deepEqual([aggregate(off).qos.agentAudio.toneOk, aggregate(off).qos.agentAudio.sessionsHearingTone], [false, 1]);
  a1.dominantHz = [];
  assert.equal(aggregate(off).qos.agentAudio.toneOk, false);
  const none = baseInput();
  none.sessions = [];
  none.requestedSessions = 0;
  const r = aggregate(none);
  assert.equal(r.qos.agentAudio.toneOk, false, 'no session heard nothing: not ok');
  assert.equal(r.qos.agentAudio.maxGapMs, null);
  assert.equal(r.perSession.cpuCores, null);
  assert.deepEqual(r.qos.publishLateMs, { p50: null, p99: null, max: null });
});

test('aggregate: each invalidity rule fires on its own', () => {
  const late = baseInput();
  late.sessions[1]!.publishLate = hist([...range(51, 100).map((i) => i * 0.1), 30, 30, 30, 30, 30]);
  assert.deepEqual(aggregate(late).invalidReasons, [
    'the generator could not keep real time: publish lateness p99 30.0 ms > 20 ms; give it more CPU or fewer users per generator',
  ]);
  // A generator whose clock threads could not be raised: the reason names that fix first.
  late.generatorLoopDelay = [{ latest: null, atWindowStart: null, clockNice: 0 }];
  assert.match(aggregate(late).invalidReasons.join('; '), /p99 30\.0 ms > 20 ms; its clock threads ran at nice 0: run as root, or a container with --cap-add SYS_NICE/);

  const gap = baseInput();
  gap.samples = gap.samples.filter((s) => s.elapsedMs !== 5000 && s.elapsedMs !== 6000);
  assert.deepEqual(aggregate(gap).invalidReasons, ['sampling stalled: a gap of 3.0 s between samples']);

  const known = baseInput();
  known.invalidReasons = ['the run was interrupted'];
  assert.deepEqual(aggregate(known).invalidReasons, ['the run was interrupted']);

  const errs = baseInput();
  errs.sessions[0]!.errors = ['a', 'b', 'c', 'd'];
  errs.sessions[1]!.errors = ['e', 'f', 'g'];
  assert.deepEqual(aggregate(errs).invalidReasons, [
    'session 0: a', 'session 0: b', 'session 0: c', 'session 0: d', 'session 1: e', 'and 2 more session errors',
  ]);
});

test('aggregate: no samples after the hold, and no samples at all', () => {
  const early = baseInput();
  early.holdFromMs = 100_000;
  const r = aggregate(early);
  assert.deepEqual(r.invalidReasons, ['no samples after the last session joined']);
  assert.equal(r.window.samples, 15);
  assert.equal(r.roles?.agents.samples, 15);

  const empty = baseInput();
  empty.samples = [];
  const e = aggregate(empty);
  assert.deepEqual(e.invalidReasons, ['no samples were taken']);
  assert.equal(e.roles, null);
  assert.equal(e.system, null);
  assert.deepEqual(e.sampler, { samples: 0, wallMs: null, cpuMs: null, maxIntervalMs: null });
  assert.equal(e.perSession.cpuCores, null);
  assert.match(renderSummary(e), /No samples were taken/);
});

test('summary.md: smaller-host warning, LiveKit comparison, saturation, verdict', () => {
  const warning = "this host is smaller than the 4-core / 8 GB target: the figures below are what this host measured and are not the target's capacity";
  const small = renderSummary(aggregate(baseInput()));
  assert.ok(small.includes(warning));
  assert.match(small, /^# voiceload: steady-2 — \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  assert.match(small, /\*\*Verdict: valid\*\*/);
  assert.match(small, /published by LiveKit, not measured here: https:\/\/docs\.livekit\.io\/agents\/deployment\//);
  // Agents only on both sides: 3.00 cores and 70 MB PSS are the agents' means, not agents + generator + server (3.75).
  assert.match(small, /the agents used 3\.00 cores \(mean\) and 70 MB PSS/);
  assert.match(small, /linear projection to 30 sessions: 56\.25 cores.*\(extrapolated from the measured per-session cost/);
  assert.match(small, /\| agents \| 3\.00 \| 4\.80 \| 5\.00 \| 300 \| 500 \| 70 \| 90 \|/);
  assert.match(small, /\| server \| 0\.25 \| 0\.25 \| 0\.25 \| 30 \| 30 \| n\/a \| n\/a \|/);
  assert.match(small, /\| VAD segments detected \/ expected \| 12 \/ 16 \(75\.0%\) \|/);
  assert.match(small, /\| VAD onset lag p50 \/ p95 \(misses count as > 1000 ms\) \| 550\.0 ms \/ > 1000 ms \|/);
  assert.doesNotMatch(small, /saturated/);

  assert.doesNotMatch(small, /clock threads/, 'not recorded: not mentioned');
  const niced = baseInput();
  niced.generatorLoopDelay = [{ latest: null, atWindowStart: null, clockNice: -20 }, { latest: null, atWindowStart: null, clockNice: 0 }];
  assert.match(renderSummary(aggregate(niced)), /\| User publish lateness p50 \/ p99 \| .*; the generator's clock threads at nice -20, 0 \|/);

  const bigInput = baseInput();
  bigInput.host = { ...bigInput.host, cores: 8, memoryBytes: 16 * GB };
  assert.ok(!renderSummary(aggregate(bigInput)).includes('smaller than'));

  const busy = baseInput();
  for (const s of busy.samples) s.system.cpuCores = 1.8;
  busy.requestedSessions = 5;
  const busyMd = renderSummary(aggregate(busy));
  assert.match(busyMd, /the run saturated this host's CPU: quality figures reflect an overloaded host \(system CPU mean 1\.80 of 2 cores/);
  assert.match(busyMd, /\*\*Verdict: INVALID\*\*[^\n]*\n\n- 2 of 5 sessions joined\n- the host's CPU was saturated: system CPU mean 1\.80 of 2 cores/);
  assert.match(busyMd, /No projection to 30 sessions: the run is invalid/);
  assert.doesNotMatch(busyMd, /linear projection/);
  // In a container, the host readings are its cgroup's: results.json, the reason and the summary say so.
  const boxed = baseInput();
  for (const s of boxed.samples) Object.assign(s.system, { cpuCores: 1.8, cpuSource: 'cgroup' });
  const boxedR = aggregate(boxed);
  assert.deepEqual(boxedR.system?.scope, { cpu: 'cgroup', memory: 'machine' });
  assert.match(boxedR.invalidReasons.join('; '), /the host's CPU was saturated: the container's cgroup CPU mean 1\.80 of 2 cores/);
  assert.match(renderSummary(boxedR), /Whole container \(CPU from its cgroup, memory from the machine\): CPU cores mean 1\.80/);
  assert.equal(aggregate(baseInput()).system?.scope, undefined, 'machine readings: no scope');
  // One rule everywhere: a p95 at 1.9 of 2 cores with a mean of 1.5 is not saturation, in the summary or the validity.
  const spiky = baseInput();
  spiky.samples.forEach((s, i) => (s.system.cpuCores = i === 14 ? 1.9 : 1.5));
  const spikyR = aggregate(spiky);
  assert.ok(spikyR.valid, spikyR.invalidReasons.join('; '));
  assert.doesNotMatch(renderSummary(spikyR), /saturated/);

  const nobody = baseInput();
  nobody.sessions = [];
  assert.doesNotMatch(renderSummary(aggregate(nobody)), /linear projection/);
});

test('results.json: parses, has the documented keys, stable order', () => {
  const text = renderResultsJson(aggregate(baseInput()));
  assert.ok(text.endsWith('}\n'));
  const json = JSON.parse(text) as Record<string, unknown>;
  const paths = [
    'schemaVersion', 'scenario', 'valid', 'invalidReasons', 'host.cores', 'host.memoryBytes', 'target', 'server.mode',
    'server.version', 'sessions.requested', 'sessions.joined', 'roles.agents.cpuCores.p95', 'roles.server.pssBytes',
    'perSession.basis', 'qos.vad.onsetLagMs.p95', 'qos.agentAudio.gapsOver100ms', 'qos.publishLateMs.p99',
  ];
  for (const path of paths) {
    let node: unknown = json;
    for (const key of path.split('.')) {
      assert.ok(typeof node === 'object' && node !== null && key in node, `missing ${path}`);
      node = (node as Record<string, unknown>)[key];
    }
  }
  assert.equal(json.schemaVersion, 1);
  assert.deepEqual(Object.keys(json).slice(0, 3), ['schemaVersion', 'scenario', 'startedAt']);
  assert.ok(!text.includes('ws://'), 'the server URL is not copied');
  const shuffled = JSON.parse(text) as ReturnType<typeof aggregate>;
  const reversed = Object.fromEntries(Object.entries(shuffled).reverse()) as typeof shuffled;
  assert.equal(renderResultsJson(reversed), text);
});

test('writeRunReport: writes results.json first and summary.md, atomically, and returns their paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voiceload-report-'));
  try {
    const out = join(dir, 'run-1');
    const result = aggregate(baseInput());
    const { written: paths } = await writeRunReport(out, { result, samples: [], inputs: defaultSizingInputs(), withResults: true });
    assert.deepEqual(paths.slice(0, 2), [join(out, 'results.json'), join(out, 'summary.md')]);
    assert.equal(await readFile(join(out, 'results.json'), 'utf8'), renderResultsJson(result));
    assert.equal(await readFile(join(out, 'summary.md'), 'utf8'), renderSummary(result));
    assert.ok((await readdir(out)).includes('results.json') && (await readdir(out)).includes('summary.md'));
    assert.deepEqual((await readdir(out, { recursive: true })).filter((f) => String(f).endsWith('.tmp')), []);
    assert.ok(!existsSync(join(out, 'results.json.tmp')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('aggregate: system CPU over the window agrees with /proc/stat over the same seconds within 2 %', async () => {
  // A real SystemSampler reads a /proc/stat the test writes: 2 CPUs, 100 ticks a second each.
  const dir = await mkdtemp(join(tmpdir(), 'vl-procstat-'));
  const path = join(dir, 'stat');
  const { SystemSampler } = await import('../harness/sampling/system.js');
  const { writeFile } = await import('node:fs/promises');
  const sampler = new SystemSampler({ procStatPath: path });
  let busy = 0;
  let total = 0;
  const files: { busy: number; total: number }[] = [];
  const input = baseInput();
  const base = samples();
  // Seconds covered by each sample and the cores busy in them. Sample 10 opens the window: the second
  // before it (a join burst, 2 cores) is not the window's. Sample 12 came 2.5 s after the one before.
  const plan = base.map((_, i) => ({ seconds: i === 12 ? 2.5 : 1, cores: i === 10 ? 2 : i >= 11 ? 1 : 0.5 }));
  const out: Sample[] = [];
  let elapsed = 0;
  for (const [i, s] of base.entries()) {
    const p = plan[i]!;
    elapsed += i === 0 ? 0 : p.seconds * 1000;
    total += 200 * p.seconds;
    busy += 100 * p.cores * p.seconds;
    files.push({ busy, total });
    await writeFile(path, `cpu  ${busy} 0 0 ${total - busy} 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n`);
    out.push({ ...s, elapsedMs: i < 10 ? i * 1000 : elapsed, system: { ...(await sampler.sample()), memUsedBytes: 2 * GB, memTotalBytes: 8 * GB } });
  }
  // Elapsed times before the window stay 0..9 s; from sample 10 on they follow the plan.
  input.samples = out.map((s, i) => (i < 10 ? { ...s, elapsedMs: i * 1000 } : { ...s, elapsedMs: 10_000 + (s.elapsedMs - out[10]!.elapsedMs) }));
  const r = aggregate(input);
  const first = files[10]!;
  const last = files[files.length - 1]!;
  const procStat = ((last.busy - first.busy) / (last.total - first.total)) * 2;
  assert.equal(r.window.samples, 5);
  const got = r.system?.cpuCores.mean ?? NaN;
  assert.ok(Math.abs(got - procStat) / procStat <= 0.02, `system CPU ${got} vs /proc/stat ${procStat}`);
  await rm(dir, { recursive: true });
});

/** A mark at `ms` with each session's cumulative audio counters [expected, received, gaps, stalls, dropped]. */
function audioMark(ms: number, counts: Record<number, [number, number, number, number, number]>): RunInput['marks'][number] {
  const sessions: RunInput['marks'][number]['sessions'] = {};
  for (const [i, [e, r, g, st, d]] of Object.entries(counts)) {
    sessions[Number(i)] = { publishLate: null, agentPublishLate: null, agentLoopDelay: null, framesExpected: e, framesReceived: r, gapsOver100ms: g, generatorStalls: st, publishDropped: d };
  }
  return { elapsedMs: ms, sessions, generators: [] };
}

test('aggregate: agent audio is counted over the window, not from each join; a gap in it makes toneOk no', () => {
  const input = baseInput();
  // Session 0 had 18 gaps while the ramp was still joining (before 10 s), none in the window.
  input.sessions[0]!.agentAudio = { framesReceived: 1900, framesExpected: 2000, gapsOver100ms: 18, maxGapMs: 900, dominantHz: [440], gaps: [{ at: START + 5000, ms: 900 }] };
  input.marks = [
    audioMark(9000, { 0: [500, 400, 18, 2, 7], 1: [500, 500, 0, 0, 0] }),
    audioMark(10_000, { 0: [600, 500, 18, 2, 7], 1: [600, 600, 0, 0, 0] }),
    audioMark(14_000, { 0: [1000, 900, 18, 3, 9], 1: [1000, 1000, 0, 0, 0] }),
  ];
  const quiet = aggregate(input).qos;
  assert.deepEqual(quiet.agentAudio, {
    framesExpected: 800, framesReceived: 800, gapsOver100ms: 0, maxGapMs: null, toneOk: true, sessionsHearingTone: 2, sessionsListening: 2, generatorStalls: 1,
  });
  assert.equal(quiet.publishDroppedFrames, 2);
  // One gap of 300 ms inside the window: counted, the longest is that one (not the 900 ms before), and the tone is not ok.
  input.marks[2] = audioMark(14_000, { 0: [1000, 870, 19, 3, 9], 1: [1000, 1000, 0, 0, 0] });
  input.sessions[0]!.agentAudio.gaps!.push({ at: START + 12_000, ms: 300 });
  const gap = aggregate(input).qos.agentAudio;
  assert.deepEqual([gap.gapsOver100ms, gap.maxGapMs, gap.toneOk], [1, 300, false]);
});

test('aggregate: the window ends when the first session stopped: teardown samples and onsets do not count', () => {
  const input = baseInput();
  // Teardown began at 12.5 s: samples at 13 and 14 s (agents 4 and 5 cores) are teardown.
  input.holdToMs = 12_500;
  const r = aggregate(input);
  assert.deepEqual([r.window.fromS, r.window.toS, r.window.samples], [10, 12, 3]);
  near(r.roles?.agents.cpuCores.mean, 2);
  assert.match(r.window.basis, /until the first session stopped/);
  // Onsets judged only up to 1.5 s before the window's end (11 s): session 0's 12500 is not, session 1's 11000 (+100) is.
  assert.equal(r.qos.vad.segmentsExpected, 1);
  assert.equal(r.qos.vad.segmentsDetected, 1);
});

test('onsetLagPercentiles: misses are censored above 1000 ms, so p95 says "> 1000" once more than 5 % are missed', async () => {
  const { onsetLagPercentiles } = await import('../harness/results/onsets.js');
  const lags = range(1, 100).map((i) => i); // 1..100 ms
  assert.deepEqual(onsetLagPercentiles(lags, 100), { p50: 50.5, p95: 95.05, p50Censored: false, p95Censored: false });
  // 5 of 105 missed (4.8 %): p95 (rank 98.8 of 0..104) still falls on a detected onset... between 100 and a miss: censored.
  assert.equal(onsetLagPercentiles(lags, 104).p95Censored, false);
  const six = onsetLagPercentiles(lags, 107); // 7 of 107 missed: 6.5 %
  assert.deepEqual([six.p95, six.p95Censored, six.p50Censored], [1000, true, false]);
  assert.deepEqual(onsetLagPercentiles([], 3), { p50: 1000, p95: 1000, p50Censored: true, p95Censored: true });
  assert.deepEqual(onsetLagPercentiles([], 0), { p50: null, p95: null, p50Censored: false, p95Censored: false });
});
