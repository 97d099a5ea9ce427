/**
 * A distributed run for real, without a cluster: voice-2 split over 2 shards, each a process in a
 * network namespace of its own on a veth to the server's, merged; against the same scenario run
 * as one shard on one host. The merged run must hold the same counts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNetns } from './support/netns.js';

interface R { sessions: { requested: number; joined: number }; window: { fromS: number; toS: number }; valid: boolean; invalidReasons: string[]; qos: { vad: { segmentsExpected: number; segmentsDetected: number }; agentAudio: { framesExpected: number; framesReceived: number; sessionsHearingTone: number; toneOk: boolean } }; shards?: { count: number; droppedSamples: number; alignedSamples: number; each: { valid: boolean; keptRealTime: boolean | null }[] } }
interface Outcome { code: number | null; stderr: string }
interface Drill { shardRuns: Outcome[]; merge: Outcome; oneRun: Outcome; oneMerge: Outcome; shards: R[]; merged: R; one: R; rooms: string[][]; startedAt: number[]; startAt: number }

const drill = runInNetns<Drill>(fileURLToPath(new URL('./support/shard-drill.js', import.meta.url)));

test('shards on separate hosts merge into the run one host makes: same counts', { timeout: 240_000 }, async () => {
  const d = await drill;
  d.shardRuns.forEach((r, k) => assert.equal(r.code, 0, `shard ${k}: ${r.stderr}`));
  assert.equal(d.merge.code, 0, d.merge.stderr);
  assert.equal(d.oneRun.code, 0, d.oneRun.stderr);
  assert.deepEqual(d.merged.sessions, d.one.sessions);
  assert.deepEqual(d.merged.sessions, { requested: 2, joined: 2 });
  assert.equal(d.merged.qos.agentAudio.sessionsHearingTone, d.one.qos.agentAudio.sessionsHearingTone);
  assert.equal(d.merged.qos.agentAudio.toneOk, true);
  // Counts add. Audio is counted over the measurement window, and the merged window is the seconds
  // every shard sampled, so each shard's count is first brought to the merged window's length: 100
  // frames a second per joined session. What is left is at most one sample tick per session.
  const len = (r: R) => r.window.toS - r.window.fromS;
  const onMergedWindow = (f: (r: R) => number) => d.shards.reduce((a, r) => a + f(r) - r.sessions.joined * 100 * (len(r) - len(d.merged)), 0);
  // One tick per session, and the ticks' own timing: each window's length comes from sample times
  // a few ms off the second, so the length correction above carries a fraction of a frame too.
  const tick = 100 * d.merged.sessions.joined * 1.05;
  for (const [what, f] of [['framesExpected', (r: R) => r.qos.agentAudio.framesExpected], ['framesReceived', (r: R) => r.qos.agentAudio.framesReceived]] as const) {
    const want = onMergedWindow(f);
    const got = f(d.merged);
    assert.ok(Math.abs(got - want) <= tick, `${what}: merged ${got}, the shards' sum on the merged window ${want.toFixed(2)} (± ${tick})`);
  }
  assert.ok(d.merged.qos.vad.segmentsDetected > 0);
  assert.equal(d.merged.shards?.count, 2);
  assert.ok(d.merged.shards!.alignedSamples > 10, `aligned ${d.merged.shards!.alignedSamples}`);
  assert.ok(d.merged.shards!.each.every((e) => e.keptRealTime === true));
});

test('shards use disjoint rooms and start at the instant they were given', { timeout: 240_000 }, async () => {
  const d = await drill;
  const rooms = d.rooms.flat();
  assert.equal(new Set(rooms).size, rooms.length, rooms.join(', '));
  // Never before the instant; together, within a second of each other (each waits on its own clock).
  for (const t of d.startedAt) assert.ok(t >= d.startAt, `started ${d.startAt - t} ms before the instant`);
  assert.ok(Math.max(...d.startedAt) - Math.min(...d.startedAt) < 1000, `started ${d.startedAt.map((t) => t - d.startAt).join(', ')} ms after the instant`);
});
