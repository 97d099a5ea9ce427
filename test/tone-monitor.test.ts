import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SineGenerator } from '../harness/media/sine.js';
import { ToneMonitor } from '../harness/users/tone-monitor.js';

const RATE = 48000;
const FRAME = 480; // 10 ms at 48 kHz
const T0 = 1000;

/**
 * Feeds a script of 10 ms frames: 'T' a tone frame, 'S' a silent frame, each arriving 10 ms after
 * the previous one unless `holes` says how many ms to skip before frame i. Returns the last arrival.
 */
function feed(monitor: ToneMonitor, script: string, holes: Record<number, number> = {}, start = T0): number {
  const sine = new SineGenerator(440, RATE);
  let now = start - 10;
  for (const [i, c] of [...script].entries()) {
    now += 10 + (holes[i] ?? 0);
    monitor.push(c === 'T' ? sine.next(FRAME) : new Int16Array(FRAME), now);
  }
  return now;
}
const T = (n: number): string => 'T'.repeat(n);
const S = (n: number): string => 'S'.repeat(n);

test('ToneMonitor: a continuous tone has no gaps and every frame expected is received', () => {
  const m = new ToneMonitor(RATE);
  const last = feed(m, T(300));
  assert.equal(last, T0 + 2990);
  const s = m.stats();
  assert.deepEqual({ ...s, dominantHz: s.dominantHz.length }, { framesReceived: 300, framesExpected: 300, gapsOver100ms: 0, maxGapMs: 0, generatorStalls: 0, gaps: [], dominantHz: 1 });
  assert.ok(Math.abs(s.dominantHz[0]! - 440) <= 1, `dominant ${s.dominantHz[0]} Hz`);
});

test('ToneMonitor: nothing heard yet gives zeros', () => {
  const m = new ToneMonitor(RATE);
  assert.deepEqual(m.stats(), { framesReceived: 0, framesExpected: 0, gapsOver100ms: 0, maxGapMs: 0, generatorStalls: 0, gaps: [], dominantHz: [] });
  feed(m, S(40));
  assert.deepEqual(m.stats(), { framesReceived: 0, framesExpected: 0, gapsOver100ms: 0, maxGapMs: 0, generatorStalls: 0, gaps: [], dominantHz: [] });
});

test('ToneMonitor: 150 ms of silent frames in the middle is one gap of 150 ms', () => {
  const m = new ToneMonitor(RATE);
  // Tone frames arrive at 1000..1990; silent ones cover 1990..2140; the tone is back with the frame at 2150.
  const last = feed(m, T(100) + S(15) + T(85));
  const s = m.stats();
  assert.equal(s.gapsOver100ms, 1);
  assert.equal(s.maxGapMs, 150);
  assert.equal(s.framesReceived, 200);
  assert.equal(s.framesExpected, 200);
});

test('ToneMonitor: silence of exactly 100 ms is not a gap, 110 ms is', () => {
  const at100 = new ToneMonitor(RATE);
  const end100 = feed(at100, T(50) + S(10) + T(50));
  assert.equal(at100.stats().gapsOver100ms, 0);
  assert.equal(at100.stats().maxGapMs, 0);

  const at110 = new ToneMonitor(RATE);
  const end110 = feed(at110, T(50) + S(11) + T(50));
  assert.equal(at110.stats().gapsOver100ms, 1);
  assert.equal(at110.stats().maxGapMs, 110);
});

test('ToneMonitor: a 200 ms hole in arrival times is one gap; missing frames are not received', () => {
  const m = new ToneMonitor(RATE);
  // Frame 100 arrives at 2190 instead of 2000, 200 ms after frame 99 (1990): the audio from 1990
  // to 2180 (where frame 100 begins) never came, a 190 ms gap.
  const last = feed(m, T(131), { 100: 190 });
  assert.equal(last, 2490);
  const s = m.stats();
  assert.equal(s.gapsOver100ms, 1);
  assert.equal(s.maxGapMs, 190);
  assert.equal(s.framesReceived, 131);
  // Tone heard from 1000 to 2490: 150 frames' worth, 19 of them never came.
  assert.equal(s.framesExpected, 150);
});

test('ToneMonitor: arrivals 100 ms apart are not a gap; two holes count twice, max is the larger', () => {
  const ok = new ToneMonitor(RATE);
  const end = feed(ok, T(20), { 10: 90 });
  assert.equal(ok.stats().gapsOver100ms, 0);

  const two = new ToneMonitor(RATE);
  const last = feed(two, T(60), { 20: 150, 40: 110 });
  const s = two.stats();
  // Holes of 150 and 110 ms of missing audio (frames arrive 160 and 120 ms after the previous one).
  assert.equal(s.gapsOver100ms, 2);
  assert.equal(s.maxGapMs, 150);
});

test('ToneMonitor: leading silence before the tone is not a gap and not counted', () => {
  const m = new ToneMonitor(RATE);
  // 50 silent frames (1000..1490), then 100 tone frames from 1500 to 2490.
  const last = feed(m, S(50) + T(100));
  assert.deepEqual(m.stats(), { framesReceived: 100, framesExpected: 100, gapsOver100ms: 0, maxGapMs: 0, generatorStalls: 0, gaps: [], dominantHz: [] });
});

test('ToneMonitor: a silence still going on counts once it passes 100 ms', () => {
  const exactly = new ToneMonitor(RATE);
  feed(exactly, T(100) + S(10)); // tone to 1990, silent frames to 2090: 100 ms without tone
  assert.equal(exactly.stats().gapsOver100ms, 0);
  const over = new ToneMonitor(RATE);
  feed(over, T(100) + S(11)); // silent frames to 2100: 110 ms
  const s = over.stats();
  assert.equal(s.gapsOver100ms, 1);
  assert.equal(s.maxGapMs, 110);
  assert.equal(s.framesReceived, 111);
  assert.equal(s.framesExpected, 111);
});

test('ToneMonitor: silence then a hole is one outage, measured whole', () => {
  const m = new ToneMonitor(RATE);
  // Tone to 1990, silent frames 2000..2050, nothing until a tone frame at 2300 (audio 2290..2300).
  feed(m, T(100) + S(6) + T(1), { 106: 240 });
  const s = m.stats();
  assert.equal(s.gapsOver100ms, 1);
  assert.equal(s.maxGapMs, 300);
});

test('ToneMonitor: dominant frequency analysed from 1 s after the tone, every 5 s, within 1 Hz of 440', () => {
  const m = new ToneMonitor(RATE);
  // Analysis collects 0.1 s from 1 s after the first frame: frames 100..109 (the 110th is at 1.09 s).
  feed(m, T(109));
  assert.deepEqual(m.stats().dominantHz, []);

  const m2 = new ToneMonitor(RATE);
  feed(m2, T(110));
  const one = m2.stats().dominantHz;
  assert.equal(one.length, 1);

  // The next window starts 5 s after the first one ended (2090 + 5000 = 7090: frame 609), done at frame 618.
  const m3 = new ToneMonitor(RATE);
  feed(m3, T(618));
  assert.equal(m3.stats().dominantHz.length, 1);
  const m4 = new ToneMonitor(RATE);
  const last = feed(m4, T(619));
  const hz = m4.stats().dominantHz;
  assert.equal(hz.length, 2);
  for (const f of [...one, ...hz]) assert.ok(Math.abs(f - 440) <= 1, `dominant ${f} Hz`);
  // Rounded to 0.1 Hz.
  for (const f of hz) assert.equal(Math.round(f * 10) / 10, f);
});

test('ToneMonitor: stats returns a copy of the frequencies', () => {
  const m = new ToneMonitor(RATE);
  const last = feed(m, T(150));
  const s = m.stats();
  s.dominantHz.push(1);
  assert.equal(m.stats().dominantHz.length, 1);
});

test('ToneMonitor: frame length sets the frame duration (20 ms frames at 48 kHz count as two)', () => {
  const m = new ToneMonitor(RATE);
  const sine = new SineGenerator(440, RATE);
  for (let i = 0; i < 10; i++) m.push(sine.next(960), T0 + 20 * i);
  const s = m.stats();
  assert.equal(s.framesReceived, 20);
  assert.equal(s.gapsOver100ms, 0);
  assert.equal(s.maxGapMs, 0);
});

test("ToneMonitor: a hole the generator's own event-loop stall explains is a stall, not the agent's gap", () => {
  // The loop was blocked from 1990 to 2290: the 300 ms hole in arrivals is all stall.
  const stalled = (from: number, to: number): number => Math.max(0, Math.min(to, 2290) - Math.max(from, 1990));
  const m = new ToneMonitor(RATE, stalled);
  feed(m, T(100) + T(20), { 100: 290 });
  const s = m.stats();
  assert.deepEqual([s.gapsOver100ms, s.generatorStalls, s.maxGapMs, s.gaps], [0, 1, 0, []]);
  // A 300 ms hole with only 100 ms of stall in it leaves 200 ms that are the agent's.
  const partly = new ToneMonitor(RATE, (from, to) => Math.max(0, Math.min(to, 2090) - Math.max(from, 1990)));
  feed(partly, T(100) + T(20), { 100: 290 });
  assert.deepEqual([partly.stats().gapsOver100ms, partly.stats().generatorStalls], [1, 0]);
});

test('ToneMonitor: audio that stops arriving is a gap, counted up to now, until the stream ends', () => {
  const m = new ToneMonitor(RATE);
  const last = feed(m, T(100)); // last tone frame at 1990
  assert.equal(m.stats(last + 50).gapsOver100ms, 0, '50 ms of nothing is no gap yet');
  const s = m.stats(last + 500);
  assert.deepEqual([s.gapsOver100ms, s.maxGapMs, s.gaps], [1, 500, [{ at: last + 500, ms: 500 }]]);
  assert.equal(s.framesExpected, 150, 'the frames that did not come were expected');
  // The user leaving ends the stream: the silence after it is not the agent's.
  const left = new ToneMonitor(RATE);
  const end = feed(left, T(100));
  left.end(end + 20);
  assert.equal(left.stats(end + 5000).gapsOver100ms, 0);
});

test('LoopDelayMonitor: a blocked event loop is remembered as a stall over the time it was blocked', async () => {
  const { LoopDelayMonitor } = await import('../harness/sessions/loop-delay.js');
  const loop = new LoopDelayMonitor();
  loop.start();
  await new Promise((r) => setTimeout(r, 120));
  const from = performance.timeOrigin + performance.now();
  const until = performance.now() + 300;
  while (performance.now() < until) { /* block the loop for 300 ms */ }
  await new Promise((r) => setTimeout(r, 120));
  const to = performance.timeOrigin + performance.now();
  loop.stop();
  const blocked = loop.blockedMs(from, to);
  // At least the 300 ms block less one probe period (50 ms) it may have begun inside; never more than the span.
  assert.ok(blocked >= 250 && blocked <= to - from, `blocked ${blocked} ms of ${to - from}`);
  assert.equal(loop.blockedMs(from - 10_000, from - 5000), 0, 'nothing before');
});

test('ToneMonitor.pushBlock: 100 ms blocks give the same gaps, frames and tone as 10 ms frames', () => {
  const sine = new SineGenerator(440, RATE);
  const tenMs = new ToneMonitor(RATE);
  const blocks = new ToneMonitor(RATE);
  // 3 s of tone, 150 ms of silence from 1.2 s, then 2 s more tone.
  const frames = Array.from({ length: 515 }, (_, i) => (i >= 120 && i < 135 ? new Int16Array(FRAME) : sine.next(FRAME)));
  frames.forEach((f, i) => tenMs.push(f, T0 + (i + 1) * 10));
  for (let b = 0; b < frames.length; b += 10) {
    const part = frames.slice(b, b + 10);
    const block = new Int16Array(part.length * FRAME);
    part.forEach((f, j) => block.set(f, j * FRAME));
    blocks.pushBlock(block, T0 + (b + part.length) * 10);
  }
  assert.deepEqual(blocks.stats(), tenMs.stats());
  assert.equal(blocks.stats().gapsOver100ms, 1);
  assert.equal(blocks.stats().maxGapMs, 150);
});
