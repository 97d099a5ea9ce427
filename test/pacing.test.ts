import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../harness/media/clock.js';
import { Pacer, type Tick } from '../harness/media/pacer.js';
import { FRAME_SAMPLES } from '../harness/media/paced-publisher.js';
import { loopFrame } from '../harness/users/user.js';

/**
 * A clock that never sleeps: sleepUntil(t) jumps time to t (or stays put when t is already past),
 * plus whatever wake-up error is queued for that call. `advance` simulates work between frames.
 */
class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  /** Added to the wake-up time of successive sleepUntil calls (positive: late, negative: early). */
  wakeError: number[] = [];

  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  sleepUntil(t: number): Promise<void> {
    this.sleeps.push(t);
    const error = this.wakeError.shift() ?? 0;
    if (t > this.t) this.t = t + error;
    else if (error > 0) this.t += error;
    return Promise.resolve();
  }

  toEpoch(t: number): number {
    return 1_700_000_000_000 + t;
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

async function ticks(pacer: Pacer, n: number, between?: (tick: Tick) => void): Promise<Tick[]> {
  const out: Tick[] = [];
  for (let i = 0; i < n; i++) {
    const tick = await pacer.next();
    out.push(tick);
    between?.(tick);
  }
  return out;
}

test('Pacer: frame k is due at t0 + k*frameMs, t0 taken from the clock', async () => {
  const clock = new FakeClock(1000);
  const pacer = new Pacer(20, clock);
  assert.equal(pacer.t0, 1000);
  clock.advance(7); // time passes before the loop starts: frame 0 is then 7 ms late
  const got = await ticks(pacer, 4);
  assert.deepEqual(got, [
    { k: 0, dueMs: 1000, lateMs: 7 },
    { k: 1, dueMs: 1020, lateMs: 0 },
    { k: 2, dueMs: 1040, lateMs: 0 },
    { k: 3, dueMs: 1060, lateMs: 0 },
  ]);
  assert.deepEqual(clock.sleeps, [1000, 1020, 1040, 1060]);
  assert.equal(clock.now(), 1060);
});

test('Pacer: an explicit t0 overrides the clock', async () => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(10, clock, 500);
  assert.equal(pacer.t0, 500);
  const got = await ticks(pacer, 3);
  assert.deepEqual(got.map((t) => t.dueMs), [500, 510, 520]);
  assert.deepEqual(got.map((t) => t.lateMs), [0, 0, 0]);
});

test('Pacer: lateness is recorded when the clock wakes late', async () => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(20, clock);
  clock.wakeError = [0, 3, 0, 12.5];
  const got = await ticks(pacer, 5);
  assert.deepEqual(got.map((t) => t.dueMs), [0, 20, 40, 60, 80]);
  assert.deepEqual(got.map((t) => t.lateMs), [0, 3, 0, 12.5, 0]);
});

test('Pacer: a slow frame does not shift later due times (no coordinated omission)', async () => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(20, clock);
  // Frame 2's work takes 45 ms: it ends at 85, past the due times of frames 3 (60) and 4 (80).
  const got = await ticks(pacer, 7, (tick) => {
    if (tick.k === 2) clock.advance(45);
  });
  assert.deepEqual(got, [
    { k: 0, dueMs: 0, lateMs: 0 },
    { k: 1, dueMs: 20, lateMs: 0 },
    { k: 2, dueMs: 40, lateMs: 0 },
    { k: 3, dueMs: 60, lateMs: 25 },
    { k: 4, dueMs: 80, lateMs: 5 },
    { k: 5, dueMs: 100, lateMs: 0 },
    { k: 6, dueMs: 120, lateMs: 0 },
  ]);
  // It asked to sleep until the absolute due times, not "20 ms after the last frame finished".
  assert.deepEqual(clock.sleeps, [0, 20, 40, 60, 80, 100, 120]);
});

test('Pacer: lateness is never negative, even when the clock wakes early', async () => {
  const clock = new FakeClock(0);
  const pacer = new Pacer(20, clock);
  clock.wakeError = [0, -2, -0.5, 4];
  const got = await ticks(pacer, 4);
  assert.deepEqual(got.map((t) => t.lateMs), [0, 0, 0, 4]);
  for (const t of got) assert.ok(t.lateMs >= 0 && !Object.is(t.lateMs, -0), `frame ${t.k}: ${t.lateMs}`);
  // An early wake-up does not move the schedule either.
  assert.deepEqual(got.map((t) => t.dueMs), [0, 20, 40, 60]);
});

test('loopFrame: FRAME_SAMPLES is 20 ms at 48 kHz', () => {
  assert.equal(FRAME_SAMPLES, 960);
});

test('loopFrame: frames wrap across the end of the loop with no seam', () => {
  const speech = Int16Array.from({ length: 1500 }, (_, i) => i);
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

  const f0 = loopFrame(speech, 0);
  assert.equal(f0.length, 960);
  assert.deepEqual([...f0], range(0, 960));

  // Frame 1 starts at 960: samples 960..1499 (540), then the loop restarts at 0..419 (420).
  const f1 = loopFrame(speech, 1);
  assert.equal(f1.length, 960);
  assert.deepEqual([...f1], [...range(960, 1500), ...range(0, 420)]);
  assert.equal(f1[539], 1499);
  assert.equal(f1[540], 0);

  // Frame 2 starts at 1920 mod 1500 = 420: samples 420..1379, no wrap.
  assert.deepEqual([...loopFrame(speech, 2)], range(420, 1380));

  // Frame 3 starts at 2880 mod 1500 = 1380: 1380..1499 (120), then 0..839.
  assert.deepEqual([...loopFrame(speech, 3)], [...range(1380, 1500), ...range(0, 840)]);

  // Consecutive frames continue each other exactly: frames 0..4 are the loop played 3.2 times.
  const played = [0, 1, 2, 3, 4].flatMap((k) => [...loopFrame(speech, k)]);
  assert.deepEqual(played, range(0, 4800).map((i) => i % 1500));
});

test('loopFrame: a recording shorter than one frame repeats inside the frame', () => {
  const speech = Int16Array.from([10, -20, 30, -40, 50, -60, 70]);
  const f = loopFrame(speech, 5);
  assert.equal(f.length, 960);
  // Frame 5 starts at 4800 mod 7 = 5.
  for (let i = 0; i < 960; i++) assert.equal(f[i], speech[(5 + i) % 7], `sample ${i}`);
  assert.deepEqual([...f.subarray(0, 4)], [-60, 70, 10, -20]);
});
