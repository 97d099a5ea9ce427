import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../harness/media/clock.js';
import { Pacer, type Tick } from '../harness/media/pacer.js';
import { FRAME_PLAN, FRAME_SAMPLES, framesToCut, sourceQueueMs } from '../harness/media/paced-publisher.js';
import { GENERATOR_DESIGNS } from '../harness/sessions/ipc.js';
import { loopChunk } from '../harness/users/user.js';

/** 20 ms frame k of a looping recording, in a buffer of its own. */
const loopFrame = (speech: Int16Array, k: number): Int16Array => loopChunk(speech, k, new Int16Array(FRAME_SAMPLES));

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

test('loopChunk: chunks of any size continue each other, reusing one buffer', () => {
  const speech = Int16Array.from({ length: 7000 }, (_, i) => i);
  const out = new Int16Array(4800);
  const played: number[] = [];
  for (let k = 0; k < 4; k++) {
    assert.equal(loopChunk(speech, k, out), out, 'the buffer given is the one filled');
    played.push(...out);
  }
  assert.deepEqual(played, Array.from({ length: 19_200 }, (_, i) => i % 7000));
});

test('framesToCut: 20 ms frames just in time drop a whole frame only past 20 ms late (as before issue 12)', () => {
  assert.deepEqual([0, 5, 20, 20.5, 45].map((ms) => framesToCut(ms, FRAME_PLAN)), [0, 0, 0, 1, 1]);
  assert.equal(sourceQueueMs(FRAME_PLAN), 50);
});

test('framesToCut: a chunk with a lead is sent whole up to lead + 20 ms late, then loses the frames the encoder missed', () => {
  const plan = { chunkMs: 100, leadMs: 20 };
  // Up to 20 ms late the queue still held audio; up to 40 ms the stream only shifts, as 20 ms frames did.
  assert.deepEqual([0, 20, 40].map((ms) => framesToCut(ms, plan)), [0, 0, 0]);
  // 41 ms late: 21 ms behind its lead, one frame cut (1 ms behind after); 60: 40 behind, two;
  // a whole chunk behind or more, all five.
  assert.deepEqual([41, 59, 60, 120, 500].map((ms) => framesToCut(ms, plan)), [1, 1, 2, 5, 5]);
  // The queue holds the lead, a chunk, the drain's 10 ms phase and the 20 ms kept rather than cut.
  assert.equal(sourceQueueMs(plan), 150);
});

test('GeneratorDesign: chunks and leads are whole 20 ms frames and 10 ms drain ticks', () => {
  for (const d of Object.values(GENERATOR_DESIGNS)) {
    assert.equal(d.publishChunkMs % 20, 0, d.name);
    assert.equal(d.publishLeadMs % 10, 0, d.name);
    assert.equal(d.receiveBlockMs % 10, 0, d.name);
  }
});

test('loopFrame: a recording shorter than one frame repeats inside the frame', () => {
  const speech = Int16Array.from([10, -20, 30, -40, 50, -60, 70]);
  const f = loopFrame(speech, 5);
  assert.equal(f.length, 960);
  // Frame 5 starts at 4800 mod 7 = 5.
  for (let i = 0; i < 960; i++) assert.equal(f[i], speech[(5 + i) % 7], `sample ${i}`);
  assert.deepEqual([...f.subarray(0, 4)], [-60, 70, 10, -20]);
});
