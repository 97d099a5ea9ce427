/**
 * Bad input is one line naming what the user typed, exit 2, before any work: durations are bounded
 * (timers overflow past ~596 h), LIVEKIT_URL is parsed as a URL and never echoes a password, errors
 * name the flag rather than the scenario file, negative numbers and repeated flags are refused,
 * absurd host sizes and speech too short to measure are refused. No server is started here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { loadSpeech } from '../harness/cli/speech.js';
import { UsageError } from '../harness/common/errors.js';
import { linkTtlS } from '../harness/human/room.js';
import { loadScenario, WORKER_STEP_S } from '../harness/scenario/load.js';
import { MAX_DURATION_S, parseDuration, parseHostSize } from '../harness/scenario/duration.js';
import { connectExternal, externalFromEnv, failureCause } from '../harness/server/external.js';
import { runCli } from './support/cli.js';

async function usage(fn: () => unknown, want: RegExp): Promise<void> {
  await assert.rejects(async () => fn(), (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), err.message);
    assert.match(err.message, want);
    return true;
  });
}

test('durations are bounded at 7 days; the human link token too', async () => {
  assert.equal(parseDuration('168h', 'x'), MAX_DURATION_S);
  await usage(() => parseDuration('999999h', '--duration'), /^--duration: '999999h' is longer than the maximum of 7 days \(168h\)$/);
  await usage(() => parseDuration('604801', 'x'), /longer than the maximum/);
  await usage(() => loadScenario('voice-2', parseScenarioArgs(['voice-2', '--duration', '999999h']).overrides), /^--duration: '999999h' is longer than the maximum/);
  assert.equal(linkTtlS('human', 90), 300);
  assert.equal(linkTtlS('human', 3600), 3660);
  assert.equal(linkTtlS('human', 10 ** 9), MAX_DURATION_S + 60);
});

test('LIVEKIT_URL: parsed as a URL, bad port or trailing text is bad input, a password is never echoed', async () => {
  const env = (url: string) => ({ LIVEKIT_URL: url, LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' });
  assert.deepEqual(externalFromEnv(env('http://lk.example:7880/')), { url: 'ws://lk.example:7880', apiKey: 'k', apiSecret: 's' });
  assert.equal(externalFromEnv(env('wss://lk.example'))?.url, 'wss://lk.example');
  await usage(() => externalFromEnv(env('ws://127.0.0.1:99999')), /^LIVEKIT_URL='ws:\/\/127\.0\.0\.1:99999' is not a valid URL/);
  await usage(() => externalFromEnv(env('ws://127.0.0.1:7880 extra')), /is not a valid URL/);
  await usage(() => externalFromEnv(env('ws://127.0.0.1:7880/rtc?x=1')), /has text after the host \(\/rtc\?x=1\)/);
  await usage(() => externalFromEnv(env('ftp://h')), /is not a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL/);
  for (const url of ['ws://me:hunter2@lk.example:7880', 'ws://me:hunter2@lk.example:99999']) {
    await assert.rejects(async () => externalFromEnv(env(url)), (err: Error) => err instanceof UsageError && !err.message.includes('hunter2') && err.message.includes('***@'));
  }
});

test('an unreachable server keeps its real cause: connection refused, bad port', async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  await assert.rejects(connectExternal({ url: `ws://127.0.0.1:${port}`, apiKey: 'k', apiSecret: 's' }), /could not be reached: connection refused \(ECONNREFUSED\)$/);
  await assert.rejects(connectExternal({ url: 'ws://127.0.0.1:1', apiKey: 'k', apiSecret: 's' }), /could not be reached: bad port$/);
  assert.equal(failureCause(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } })), 'no such host (ENOTFOUND)');
});

test('errors name the flag the user typed, not the scenario file or another key', async () => {
  const load = (...args: string[]) => loadScenario('voice-2', parseScenarioArgs(['voice-2', ...args]).overrides);
  const table: Array<[string[], RegExp]> = [
    [['--runtime', 'nope'], /^--runtime must be one of bare, framework, python, byo, container, deployed, got "nope"$/],
    [['--workers', '2'], /^--workers needs runtime 'framework', 'python', 'byo' or 'container'/],
    [['--runtime', 'framework', '--workers', '99'], /^--workers must be a whole number from 1 to 16, got 99$/],
    [['--runtime', 'framework', '--load-func', 'gpu'], /^--load-func must be 'cpu' or 'jobs:N'/],
    [['--arrival', 'poisson:1/s'], /^--arrival: 'sessionLength', 'arrival' and 'drill' need runtime 'framework', 'python', 'byo' or 'container'$/],
    [['--runtime', 'framework', '--arrival', 'often'], /^--arrival must be 'step' or 'poisson:R\/s'/],
    [['--runtime', 'byo'], /^--runtime: runtime 'byo' needs a worker command/],
    [['--runtime', 'framework', '--worker-cmd', 'x'], /^--worker-cmd: --worker-cmd runs your own worker/],
    [['--ramp-every', '0'], /^--ramp-every must be longer than 0s, got "0"$/],
    [['--target', '1000c1g'], /^--target: '1000c1g' is not a host to size for; use 0\.25–256 cores/],
  ];
  for (const [args, want] of table) await usage(() => load(...args), want);
  for (const bad of ['1000c1g', '1c5000g', '64c1g']) await usage(() => parseHostSize(bad, '--target'), /is not a host to size for/);
  assert.deepEqual(parseHostSize('4c8g', 't'), { cores: 4, memoryBytes: 8 * 1024 ** 3 });
});

test('a flag that lengthens the ramp lengthens the duration with it, unless --duration was given', async () => {
  const said: string[] = [];
  const load = (args: string[]) => loadScenario('ramp', parseScenarioArgs(['ramp', ...args]).overrides, undefined, (l) => said.push(l));
  // ramp.ts: 40 sessions at +2 every 45 s in 945 s, so 80 s after its ramp and warm-up; at +1 the ramp ends at 1755 s.
  assert.equal((await load(['--ramp-step', '1'])).durationS, 1755 + 10 + 80);
  assert.deepEqual(said, ['duration 945 s → 1845 s to fit the ramp (40 sessions at +1 every 45 s); a cap: the ramp stops at the knee; --duration sets it']);
  said.length = 0;
  assert.equal((await load(['--ramp-step', '4'])).durationS, 945, 'a shorter ramp keeps the file\'s duration');
  await usage(() => load(['--ramp-step', '1', '--duration', '20m']), /^--duration, --ramp-step: duration 1200s is too short for the ramp .* use --duration 1770s or more/);
  assert.deepEqual(said, []);
});

test('a knee ramp on a worker runtime steps every 90 s unless --ramp-every says otherwise, and says so', async () => {
  const said: string[] = [];
  const load = (name: string, args: string[]) => loadScenario(name, parseScenarioArgs([name, ...args]).overrides, undefined, (l) => said.push(l));
  const py = ['--worker-cmd', 'python agent.py start'];
  const s = await load('ramp', ['--ramp-step', '1', ...py]);
  assert.equal(s.rampEveryS, WORKER_STEP_S);
  // 40 sessions at +1 every 90 s: the ramp ends at 39 × 90 s; the file's 80 s after it are kept.
  assert.equal(s.durationS, 39 * 90 + 10 + 80);
  assert.deepEqual(said, [
    "ramp steps of 90 s, not 45s: a worker's job processes need the longer step to settle; --ramp-every sets it",
    `duration 945 s → ${39 * 90 + 90} s to fit the ramp (40 sessions at +1 every 90 s); a cap: the ramp stops at the knee; --duration sets it`,
  ]);
  said.length = 0;
  // The flag wins; bare agents, and a ramp that does not stop at a knee, keep the file's step.
  assert.equal((await load('ramp', ['--ramp-every', '50s', ...py])).rampEveryS, 50);
  assert.equal((await load('ramp', ['--ramp-step', '1'])).rampEveryS, 45);
  assert.equal((await load('voice-2', py)).rampEveryS, 10, 'voice-2 (+2 every 10 s) is no knee ramp');
  assert.deepEqual(said.filter((l) => l.startsWith('ramp steps')), []);
});

test('a negative number and a repeated flag are refused in words', async () => {
  await usage(() => parseScenarioArgs(['voice-2', '--sessions', '-1']), /^--sessions: '-1' is negative; give a value above 0/);
  await usage(() => parseScenarioArgs(['voice-2', '--sessions', '2', '--sessions', '4']), /^--sessions given twice$/);
  await usage(() => parseScenarioArgs(['voice-2', '--no-netns', '--no-netns']), /^--no-netns given twice$/);
});

test('a speech file too short to measure is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-wav-'));
  try {
    const wav = path.join(dir, 'one.wav');
    const h = Buffer.alloc(46);
    h.write('RIFF', 0); h.writeUInt32LE(38, 4); h.write('WAVE', 8); h.write('fmt ', 12); h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(48000, 24); h.writeUInt32LE(96000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
    h.write('data', 36); h.writeUInt32LE(2, 40); h.writeInt16LE(1000, 44);
    writeFileSync(wav, h);
    await usage(() => loadSpeech(wav), /^--speech .*one\.wav: 1 samples \(0\.0 ms\) is too short; give at least 1 s of speech$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: each of these is exit 2 and one line', { timeout: 60_000 }, async () => {
  const cases: Array<[string[], NodeJS.ProcessEnv | undefined, RegExp]> = [
    [['scenario', 'voice-2', '--sessions', '-1'], undefined, /--sessions: '-1' is negative/],
    [['scenario', 'voice-2', '--duration', '999999h'], undefined, /--duration: '999999h' is longer than the maximum/],
    [['scenario', 'voice-2', '--out', 'a', '--out', 'b'], undefined, /--out given twice/],
    [['scenario', 'voice-2'], { ...process.env, LIVEKIT_URL: 'ws://u:secret@h:99999', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' }, /LIVEKIT_URL='ws:\/\/\*\*\*@h:99999' is not a valid URL/],
  ];
  for (const [args, env, want] of cases) {
    const r = await runCli(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!r.stderr.includes('secret'));
  }
});
