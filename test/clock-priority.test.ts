import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockPriority, type Threads } from '../harness/users/clock-priority.js';
import { niceWarning } from '../harness/sessions/generators.js';

/** A thread table in memory: tid → [name, nice]; `allowed` false refuses raising any thread. */
function table(rows: Record<number, [string, number]>, allowed = true): Threads & { rows: Record<number, [string, number]>; lists: number } {
  const t = {
    rows, lists: 0,
    list() { t.lists++; return Object.keys(rows).map(Number); },
    name: (tid: number) => rows[tid]?.[0] ?? null,
    nice: (tid: number) => rows[tid]?.[1] ?? null,
    setNice(tid: number, nice: number) {
      const row = rows[tid];
      if (!row || (!allowed && nice < row[1])) return false;
      row[1] = nice;
      return true;
    },
  };
  return t;
}

test('ClockPriority: the JavaScript thread and the capture threads at the clock nice, every other thread where the process started', () => {
  const t = table({ 100: ['node', 0], 101: ['tokio-rt-worker', 0], 102: ['AudioSourceCapt', 0] });
  const p = new ClockPriority(100, t, -20);
  p.apply();
  assert.deepEqual(t.rows, { 100: ['node', -20], 101: ['tokio-rt-worker', 0], 102: ['AudioSourceCapt', -20] });
  assert.equal(p.clockNice, -20);
  // Threads the JavaScript thread starts later inherit -20: only the capture threads keep it.
  t.rows[103] = ['network_thread', -20];
  t.rows[104] = ['AudioSourceCapt', -20];
  p.apply();
  assert.deepEqual(t.rows[103], ['network_thread', 0]);
  assert.deepEqual(t.rows[104], ['AudioSourceCapt', -20]);
});

test('ClockPriority: the table is read again only when the number of threads changed', () => {
  const t = table({ 100: ['node', 0], 101: ['AudioEncoder', 0] });
  const p = new ClockPriority(100, t, -10);
  p.apply();
  t.rows[101]![1] = 5;
  p.apply();
  assert.equal(t.rows[101]![1], 5, 'same count: not looked at again');
  t.rows[102] = ['AudioEncoder', 0];
  p.apply();
  assert.equal(t.rows[101]![1], 0);
});

test('ClockPriority: without the privilege the threads stay where they were, and the nice read back says so', () => {
  const t = table({ 100: ['node', 0], 101: ['AudioSourceCapt', 0] }, false);
  const p = new ClockPriority(100, t, -20);
  p.apply();
  assert.equal(p.clockNice, 0);
  assert.deepEqual(t.rows, { 100: ['node', 0], 101: ['AudioSourceCapt', 0] });
});

test('ClockPriority: a process started at nice 5 keeps its other threads at 5', () => {
  const t = table({ 100: ['node', 5], 101: ['worker_thread 0', -20] });
  new ClockPriority(100, t, -20).apply();
  assert.deepEqual(t.rows, { 100: ['node', -20], 101: ['worker_thread 0', 5] });
});

test('ClockPriority: where threads cannot be listed (no /proc), nothing is touched and the nice is unknown', () => {
  const t = table({ 100: ['node', 0] });
  t.list = () => null;
  const p = new ClockPriority(100, t, -20);
  p.apply();
  assert.equal(p.clockNice, null);
  assert.deepEqual(t.rows, { 100: ['node', 0] });
});

test('niceWarning: only a generator whose clock threads stayed at nice 0 is warned of, with the fix', () => {
  assert.match(niceWarning(1, 0) ?? '', /^generator 1: its clock threads run at nice 0 \(not root, no CAP_SYS_NICE\).*run as root, or a container with --cap-add SYS_NICE$/);
  assert.equal(niceWarning(0, -20), null);
  assert.equal(niceWarning(0, null), null, 'threads that cannot be listed say nothing of priority');
});
