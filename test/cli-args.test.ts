import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { formatProgress, StatusLine } from '../harness/cli/status.js';
import { UsageError } from '../harness/common/errors.js';
import { defaultSizingInputs } from '../harness/capacity/inputs.js';

/** Asserts a one-line UsageError matching `want`. */
function usage(fn: () => unknown, want: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `more than one line: ${JSON.stringify(err.message)}`);
    if (typeof want === 'string') assert.equal(err.message, want);
    else assert.match(err.message, want);
    return true;
  });
}

test('parseScenarioArgs: a name alone gives no overrides and the defaults', () => {
  assert.deepEqual(parseScenarioArgs(['voice-30']), { name: 'voice-30', overrides: {}, speech: null, out: null, netns: true, confine: true, sizing: defaultSizingInputs(), help: false, shardToLog: false });
  assert.deepEqual(parseScenarioArgs([]), { name: null, overrides: {}, speech: null, out: null, netns: true, confine: true, sizing: defaultSizingInputs(), help: false, shardToLog: false });
});

test('parseScenarioArgs: every flag maps to its override', () => {
  const got = parseScenarioArgs([
    'voice-2', '--sessions', '12', '--duration', '3m', '--ramp-step', '4', '--ramp-every', '15s', '--warmup', '20s',
    '--users-per-generator', '6', '--join-concurrency', '8', '--target', '8c16g', '--tone-hz', '1000',
    '--speech', 'me.wav', '--out', 'reports/x', '--no-netns', '--no-confine', '--ramp',
    '--load-threshold', '0.75', '--peak-sessions', '120', '--pod-start', '45s',
  ]);
  assert.deepEqual(got, {
    name: 'voice-2',
    overrides: {
      sessions: 12,
      duration: '3m',
      warmup: '20s',
      usersPerGenerator: 6,
      joinConcurrency: 8,
      target: '8c16g',
      toneHz: 1000,
      ramp: { step: 4, every: '15s' },
      stopAtKnee: true,
      loadThreshold: 0.75,
    },
    speech: 'me.wav',
    out: 'reports/x',
    netns: false,
    confine: false,
    sizing: { ...defaultSizingInputs(), loadThreshold: 0.75, loadThresholdSource: '--load-threshold', peakSessions: 120, podStartS: 45 },
    help: false,
    shardToLog: false,
  });
});

test('parseScenarioArgs: flags may come before the name, and --flag=value works', () => {
  const got = parseScenarioArgs(['--sessions=7', 'voice-30', '--duration=90s']);
  assert.equal(got.name, 'voice-30');
  assert.deepEqual(got.overrides, { sessions: 7, duration: '90s' });
});

test('parseScenarioArgs: one ramp flag gives a partial ramp', () => {
  assert.deepEqual(parseScenarioArgs(['x', '--ramp-step', '3']).overrides, { ramp: { step: 3 } });
  assert.deepEqual(parseScenarioArgs(['x', '--ramp-every', '5s']).overrides, { ramp: { every: '5s' } });
  assert.equal('ramp' in parseScenarioArgs(['x', '--sessions', '3']).overrides, false);
});

test('parseScenarioArgs: --no-netns and --help / -h', () => {
  assert.equal(parseScenarioArgs(['x', '--no-netns']).netns, false);
  assert.equal(parseScenarioArgs(['x']).netns, true);
  assert.equal(parseScenarioArgs(['--help']).help, true);
  assert.equal(parseScenarioArgs(['x', '-h']).help, true);
});

test('parseScenarioArgs: an unknown flag is one line naming it', () => {
  usage(() => parseScenarioArgs(['voice-30', '--sesions', '3']), /'--sesions'.*; see --help$/);
  usage(() => parseScenarioArgs(['voice-30', '-x']), /'-x'.*; see --help$/);
});

test('parseScenarioArgs: a flag without its value is one line naming it', () => {
  usage(() => parseScenarioArgs(['voice-30', '--duration']), /--duration.*; see --help$/);
});

test('parseScenarioArgs: numbers must be whole numbers, named by flag', () => {
  usage(() => parseScenarioArgs(['x', '--sessions', 'ten']), "--sessions: 'ten' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--sessions', '1.5']), "--sessions: '1.5' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--sessions=-3']), "--sessions: '-3' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--sessions', '']), "--sessions: '' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--ramp-step', '2x']), "--ramp-step: '2x' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--tone-hz', '440Hz']), "--tone-hz: '440Hz' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--users-per-generator', 'many']), "--users-per-generator: 'many' is not a whole number");
  usage(() => parseScenarioArgs(['x', '--join-concurrency', '4 ']), "--join-concurrency: '4 ' is not a whole number");
});

test('parseScenarioArgs: two scenario names are refused', () => {
  usage(() => parseScenarioArgs(['voice-2', 'voice-30']), 'one scenario at a time, got: voice-2 voice-30');
  usage(() => parseScenarioArgs(['a', '--sessions', '2', 'b']), 'one scenario at a time, got: a b');
});

test('formatProgress: the exact status line', () => {
  const line = formatProgress('voice-30', { elapsedS: 83.9, totalS: 240, joined: 15, ended: 0, requested: 30, cpuCores: 2.345, phase: 'ramp' });
  assert.equal(line, 'voice-30  01:23/04:00  sessions 15/30  cpu 2.35 cores  ramp');
  assert.equal(
    formatProgress('v', { elapsedS: -1, totalS: 3725, joined: 0, ended: 0, requested: 2, cpuCores: 0, phase: 'start' }),
    'v  00:00/62:05  sessions 0/2  cpu 0.00 cores  start',
  );
  // A soak's finite sessions: two live, fourteen over.
  assert.equal(
    formatProgress('soak', { elapsedS: 95, totalS: 185, joined: 2, ended: 14, requested: 30, cpuCores: 0.5, phase: 'hold' }),
    'soak  01:35/03:05  sessions 2/30, 14 ended  cpu 0.50 cores  hold',
  );
});

/** A stand-in for process.stdout that keeps what is written. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

test('StatusLine: without a terminal, at most one plain line per 10 s of elapsed time', () => {
  const { stream, writes } = fakeStream(false);
  const status = new StatusLine(stream);
  for (const s of [0, 1, 5, 9.99, 10, 12, 19.5, 20, 20.5, 35, 44.9, 45]) status.update(`t=${s}`, s);
  assert.deepEqual(writes, ['t=0\n', 't=10\n', 't=20\n', 't=35\n', 't=45\n']);
  status.message('warning: x');
  assert.deepEqual(writes.slice(5), ['warning: x\n']);
});

test('StatusLine: a custom interval', () => {
  const { stream, writes } = fakeStream(false);
  const status = new StatusLine(stream, 2);
  for (const s of [0, 1, 2, 3, 4.5, 5]) status.update(`${s}`, s);
  assert.deepEqual(writes, ['0\n', '2\n', '4.5\n']);
});

test('StatusLine: on a terminal, every update rewrites the live line; messages clear it first', () => {
  const { stream, writes } = fakeStream(true);
  const status = new StatusLine(stream);
  status.update('a', 0);
  status.update('b', 0.5);
  assert.deepEqual(writes, ['\r\x1b[2Ka', '\r\x1b[2Kb']);
  status.message('hello');
  assert.deepEqual(writes.slice(2), ['\r\x1b[2K', 'hello\n']);
  // The live line is gone: clearing again writes nothing until the next update.
  status.clear();
  assert.equal(writes.length, 4);
  status.update('c', 1);
  status.clear();
  assert.deepEqual(writes.slice(4), ['\r\x1b[2Kc', '\r\x1b[2K']);
});
