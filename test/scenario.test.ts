import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../harness/common/errors.js';
import { parseDuration, parseHostSize } from '../harness/scenario/duration.js';
import { listScenarios, loadScenario } from '../harness/scenario/load.js';
import { DEFAULTS, rampEndS, validateScenario } from '../harness/scenario/schema.js';

const GB = 1024 ** 3;

/** Asserts that `fn` throws a one-line UsageError whose message matches `want` (exact string or pattern). */
async function usage(fn: () => unknown, want: string | RegExp): Promise<string> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  const msg = caught.message;
  assert.ok(!msg.includes('\n'), `more than one line: ${JSON.stringify(msg)}`);
  if (typeof want === 'string') assert.equal(msg, want);
  else assert.match(msg, want);
  return msg;
}

/** A temp dir of scenario modules: name -> source of the default export. */
async function scenarioDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voiceload-scenarios-'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  return dir;
}

test('parseDuration: units, combinations and bare seconds', () => {
  const table: Array<[string, number]> = [
    ['90s', 90], ['4m', 240], ['1m30s', 90], ['500ms', 0.5], ['45', 45], ['2.5', 2.5],
    ['1.5h', 5400], [' 2m ', 120], ['1h2m3s', 3723], ['0s', 0],
  ];
  for (const [text, want] of table) assert.equal(parseDuration(text, 'x'), want, text);
});

test('parseDuration: anything else is a one-line UsageError naming the input', async () => {
  for (const bad of ['abc', '', '1m 30s', '10x', '-5s', 's', '5 s', '1d', '4m!']) {
    await usage(() => parseDuration(bad, '--warmup'), `--warmup: '${bad}' is not a duration; use e.g. 90s, 4m or 1m30s`);
  }
});

test('parseHostSize: <cores>c<GB>g', async () => {
  assert.deepEqual(parseHostSize('4c8g', 'x'), { cores: 4, memoryBytes: 8 * GB });
  assert.deepEqual(parseHostSize('16C32G', 'x'), { cores: 16, memoryBytes: 32 * GB });
  assert.deepEqual(parseHostSize('0.5c0.5g', 'x'), { cores: 0.5, memoryBytes: GB / 2 });
  for (const bad of ['4x8', '4c', 'c8g', '0c8g', '4c0g', '4c8', '4 cores']) {
    await usage(() => parseHostSize(bad, '--target'), `--target: '${bad}' is not a host size; use <cores>c<GB>g, e.g. 4c8g`);
  }
});

test('rampEndS: seconds until the last ramp step', () => {
  assert.equal(rampEndS({ sessions: 30, rampStep: 5, rampEveryS: 20 }), 100);
  assert.equal(rampEndS({ sessions: 31, rampStep: 5, rampEveryS: 20 }), 120);
  assert.equal(rampEndS({ sessions: 2, rampStep: 5, rampEveryS: 20 }), 0);
  assert.equal(rampEndS({ sessions: 1, rampStep: 1, rampEveryS: 7 }), 0);
  assert.equal(rampEndS({ sessions: 10, rampStep: 3, rampEveryS: 10 }), 30);
});

test('validateScenario: only a name gives every default', () => {
  assert.deepEqual(validateScenario({ name: 'n' }, 'f.ts'), {
    name: 'n',
    description: DEFAULTS.description,
    sessions: 2,
    rampStep: 5,
    rampEveryS: 20,
    rampSettleS: 5,
    durationS: 60,
    warmupS: 10,
    usersPerGenerator: 10,
    toneHz: 440,
    target: { cores: 4, memoryBytes: 8 * GB },
    targetLabel: '4c8g',
    joinConcurrency: 4,
    stopAtKnee: false,
    thresholds: [],
    pool: { runtime: 'bare', workers: 0, loadFunc: 'cpu', loadThreshold: 0.7, workerCmd: null, sessionLengthS: null, sessionLengthMaxS: null, arrival: { mode: 'step' }, drill: null, refuseWhenFull: false },
  });
});

test('validateScenario: bad values are one-line UsageErrors naming the file and key', async () => {
  const v = (extra: Record<string, unknown>) => () => validateScenario({ name: 'n', ...extra }, 'scenarios/n.ts');
  await usage(v({ sessions: 0 }), "scenarios/n.ts: 'sessions' must be a whole number from 1 to 500, got 0");
  await usage(v({ sessions: 1.5 }), "scenarios/n.ts: 'sessions' must be a whole number from 1 to 500, got 1.5");
  await usage(v({ sessions: 501 }), "scenarios/n.ts: 'sessions' must be a whole number from 1 to 500, got 501");
  await usage(v({ sessions: '3' }), `scenarios/n.ts: 'sessions' must be a whole number from 1 to 500, got "3"`);
  await usage(v({ duration: 'abc' }), "scenarios/n.ts: 'duration': 'abc' is not a duration; use e.g. 90s, 4m or 1m30s");
  await usage(v({ duration: 90 }), "scenarios/n.ts: 'duration' must be a string, got 90");
  await usage(v({ target: '4x8' }), "scenarios/n.ts: 'target': '4x8' is not a host size; use <cores>c<GB>g, e.g. 4c8g");
  await usage(v({ ramp: { step: 0 } }), "scenarios/n.ts: 'ramp.step' must be a whole number from 1 to 500, got 0");
  await usage(v({ ramp: 'fast' }), "scenarios/n.ts: 'ramp' must be an object");
  await usage(v({ toneHz: 50 }), "scenarios/n.ts: 'toneHz' must be a number from 100 to 4000, got 50");
  await usage(v({ usersPerGenerator: 101 }), "scenarios/n.ts: 'usersPerGenerator' must be a whole number from 1 to 100, got 101");
  await usage(v({ joinConcurrency: 65 }), "scenarios/n.ts: 'joinConcurrency' must be a whole number from 1 to 64, got 65");
  await usage(v({ duration: '9s' }), "scenarios/n.ts: 'duration' must be at least 10s, got 9s");
  await usage(() => validateScenario([], 'f.ts'), 'f.ts: a scenario must be an object');
  await usage(() => validateScenario({ sessions: 2 }, 'f.ts'), "f.ts: 'name' must be a string, got undefined");
});

test('validateScenario: a duration shorter than the ramp suggests one long enough', async () => {
  // 30 sessions at +5 every 20 s: last step at 100 s, + 15 s warm-up + 5 s measured = 120 s.
  const spec = { name: 'n', sessions: 30, ramp: { step: 5, every: '20s' }, warmup: '15s', duration: '119s' };
  await usage(
    () => validateScenario(spec, 'scenarios/n.ts'),
    'scenarios/n.ts: duration 119s is too short for the ramp (30 sessions at +5 every 20s, then 15s warm-up and at least 5s measured): ' +
      'use --duration 120s or more, or a larger --ramp-step',
  );
  assert.equal(validateScenario({ ...spec, duration: '2m' }, 'scenarios/n.ts').durationS, 120);
  // Fractional needs round up: +1 every 2.5 s for 3 sessions = 5 s, + 2.2 s + 5 s = 12.2 s -> 13 s.
  await usage(
    () => validateScenario({ name: 'n', sessions: 3, ramp: { step: 1, every: '2.5s' }, warmup: '2.2s', duration: '12s' }, 'f.ts'),
    /use --duration 13s or more/,
  );
});

test('listScenarios: the .js modules of a directory, sorted; none for a missing directory', async () => {
  const dir = await scenarioDir({ 'b.js': 'export default { name: "b" };', 'a.js': 'export default { name: "a" };', 'a.js.map': '{}', 'notes.txt': '' });
  try {
    assert.deepEqual(await listScenarios(dir), ['a', 'b']);
    assert.deepEqual(await listScenarios(join(dir, 'missing')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadScenario: an unknown scenario lists the known ones', async () => {
  const dir = await scenarioDir({ 'small.js': 'export default { name: "small" };', 'big.js': 'export default { name: "big" };' });
  try {
    await usage(() => loadScenario('huge', {}, dir), "unknown scenario 'huge'; known scenarios: big, small");
    await usage(() => loadScenario('huge', {}, join(dir, 'missing')), "unknown scenario 'huge'; known scenarios: (none found: run npm run build)");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadScenario: an unknown key or a missing default is named with the file', async () => {
  const dir = await scenarioDir({
    'typo.js': 'export default { name: "typo", sesions: 3 };',
    'ramptypo.js': 'export default { name: "ramptypo", ramp: { steps: 3 } };',
    'nodefault.js': 'export const name = "nodefault";',
  });
  try {
    const msg = await usage(() => loadScenario('typo', {}, dir), /^scenarios\/typo\.ts: unknown key 'sesions'; known keys: /);
    assert.match(msg, /known keys: name, description, sessions, ramp, duration, warmup, usersPerGenerator, toneHz, target, joinConcurrency, stopAtKnee, thresholds, runtime, workers, loadFunc, loadThreshold, workerCmd, workerImage, agentName, sessionLength, arrival, drill, refuseWhenFull$/);
    await usage(() => loadScenario('ramptypo', {}, dir), "scenarios/ramptypo.ts: unknown key 'ramp.steps'; known keys: step, every, settle");
    await usage(() => loadScenario('nodefault', {}, dir), 'scenarios/nodefault.ts: must export a scenario object as default');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadScenario: a knee ramp file with no step length gets the 90 s worker step; a bad one is still named with the file', async () => {
  const worker = 'sessions: 4, stopAtKnee: true, duration: "10m", runtime: "byo", workerCmd: "true"';
  const dir = await scenarioDir({
    'knee.js': `export default { name: "knee", ${worker} };`,
    'kneebad.js': `export default { name: "kneebad", ${worker}, ramp: { every: "soon" } };`,
  });
  try {
    assert.equal((await loadScenario('knee', {}, dir)).rampEveryS, 90);
    await usage(() => loadScenario('kneebad', {}, dir), /^scenarios\/kneebad\.ts: 'ramp\.every'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadScenario: overrides replace keys, a partial ramp override keeps the rest of the ramp', async () => {
  const dir = await scenarioDir({
    'base.js': 'export default { name: "base", sessions: 10, ramp: { step: 5, every: "15s" }, duration: "2m", warmup: "10s", toneHz: 600 };',
    'noramp.js': 'export default { name: "noramp", sessions: 4 };',
  });
  try {
    const plain = await loadScenario('base', {}, dir);
    assert.deepEqual([plain.sessions, plain.rampStep, plain.rampEveryS, plain.durationS, plain.toneHz], [10, 5, 15, 120, 600]);

    const step = await loadScenario('base', { sessions: 12, ramp: { step: 3 } }, dir);
    assert.deepEqual([step.sessions, step.rampStep, step.rampEveryS, step.durationS, step.warmupS], [12, 3, 15, 120, 10]);

    const every = await loadScenario('base', { ramp: { every: '30s' }, duration: '3m' }, dir);
    assert.deepEqual([every.sessions, every.rampStep, every.rampEveryS, every.durationS], [10, 5, 30, 180]);

    const added = await loadScenario('noramp', { ramp: { step: 2 } }, dir);
    assert.deepEqual([added.rampStep, added.rampEveryS], [2, 20]);

    // A ramp too long for the file's duration lengthens it, keeping the file's 95 s after ramp and warm-up...
    assert.equal((await loadScenario('base', { sessions: 100 }, dir)).durationS, 19 * 15 + 10 + 95);
    // ...unless the duration was given too: then it is validated like the file.
    await usage(() => loadScenario('base', { sessions: 100, duration: '2m' }, dir), /^--duration: duration 120s is too short .*use --duration 300s or more/);
    await usage(() => loadScenario('base', { target: '4x8' }, dir), "--target: '4x8' is not a host size; use <cores>c<GB>g, e.g. 4c8g");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the shipped scenarios validate with their documented numbers', async () => {
  const known = await listScenarios();
  assert.ok(known.includes('voice-30') && known.includes('voice-2'), known.join(', '));

  const v30 = await loadScenario('voice-30');
  assert.equal(v30.name, 'voice-30');
  assert.equal(v30.sessions, 30);
  assert.deepEqual(v30.target, { cores: 4, memoryBytes: 8 * GB });
  assert.equal(v30.targetLabel, '4c8g');
  assert.deepEqual([v30.rampStep, v30.rampEveryS, v30.durationS, v30.warmupS, v30.usersPerGenerator, v30.toneHz], [5, 20, 240, 15, 10, 440]);
  assert.equal(rampEndS(v30), 100);

  const v2 = await loadScenario('voice-2');
  assert.equal(v2.sessions, 2);
  assert.deepEqual(v2.target, { cores: 4, memoryBytes: 8 * GB });
  assert.deepEqual([v2.rampStep, v2.rampEveryS, v2.durationS, v2.warmupS, v2.usersPerGenerator], [2, 10, 30, 8, 2]);
  assert.equal(rampEndS(v2), 0);

  const shorter = await loadScenario('voice-30', { sessions: 10, duration: '1m' });
  assert.deepEqual([shorter.sessions, shorter.durationS, shorter.rampStep], [10, 60, 5]);
});

test('loadScenario: a bad value from a flag names the flag, one from the file names the file', async () => {
  const dir = await scenarioDir({ 'ok.js': 'export default { name: "ok", sessions: 2, duration: "30s" };', 'bad.js': 'export default { name: "bad", sessions: 0 };' });
  try {
    await usage(() => loadScenario('ok', { sessions: 0 }, dir), '--sessions must be a whole number from 1 to 500, got 0');
    await usage(() => loadScenario('ok', { ramp: { every: '1x' } }, dir), "--ramp-every: '1x' is not a duration; use e.g. 90s, 4m or 1m30s");
    await usage(() => loadScenario('ok', { target: '4c' }, dir), /^--target: '4c' is not a host size/);
    await usage(() => loadScenario('ok', { usersPerGenerator: 0 }, dir), /^--users-per-generator must be a whole number/);
    // The file's own mistake is still the file's, even when other flags were given.
    await usage(() => loadScenario('bad', { duration: '60s' }, dir), "scenarios/bad.ts: 'sessions' must be a whole number from 1 to 500, got 0");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
