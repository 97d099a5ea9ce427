/** The benches' argument checks: what they accept, and the one line a bad argument gets. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { UsageError } from '../harness/common/errors.js';
import { count, countList, designList, durationArg } from '../bench/args.js';

const usage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (err: unknown) => err instanceof UsageError && re.test(err.message));

test('countList, count, durationArg, designList: good values pass through, bad ones are named', () => {
  assert.deepEqual(countList('1, 10,20', 'user counts'), [1, 10, 20]);
  usage(() => countList('1,x', 'user counts'), /^user counts '1,x' must be whole numbers from 1 to 1000/);
  usage(() => countList('0,5', 'user counts'), /from 1 to/);
  usage(() => countList('1,,2', 'user counts'), /whole numbers/);
  assert.equal(count('3', 'runs', 2, 20), 3);
  usage(() => count('21', 'runs', 2, 20), /^runs '21' must be a whole number from 2 to 20$/);
  usage(() => count('2.5', 'runs'), /whole number/);
  assert.equal(durationArg('1m30s', 'the run duration'), '1m30s');
  usage(() => durationArg('0s', 'the run duration'), /longer than 0 s/);
  usage(() => durationArg('soon', 'the run duration'), /is not a duration/);
  assert.deepEqual(designList('chunks, celt'), ['chunks', 'celt']);
  usage(() => designList('celt,fast'), /^the design 'fast' is not a generator design: use one of frames, chunks, celt, probes$/);
});

test('a bench given a bad argument says so in one line and exits 2 before any work', () => {
  const bench = fileURLToPath(new URL('../bench/generator-cost.js', import.meta.url));
  const run = spawnSync(process.execPath, [bench, '1,10', '45s', 'celt,fast'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^bench:generator: the design 'fast' is not a generator design: .* \(usage: npm run bench:generator .*\)\n$/);
});
