/**
 * A distributed run for real, without a cluster: voice-2 split over 2 shards, each a process in a
 * network namespace of its own on a veth to the server's, merged; against the same scenario run
 * as one shard on one host. The merged run must hold the same counts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STATS_EVERY_MS } from '../harness/sessions/join.js';
import { runInNetns } from './support/netns.js';

interface R { startedAt: string; sessions: { requested: number; joined: number }; window: { fromS: number; toS: number }; valid: boolean; invalidReasons: string[]; qos: { vad: { segmentsExpected: number; segmentsDetected: number }; agentAudio: { framesExpected: number; framesReceived: number; sessionsHearingTone: number; toneOk: boolean } }; shards?: { count: number; droppedSamples: number; alignedSamples: number; each: { valid: boolean; keptRealTime: boolean | null }[] } }
interface Outcome { code: number | null; stderr: string }
interface Counters { framesExpected: number; framesReceived: number }
interface Mark { t: number; sessions: Counters[] }
interface Drill { shardRuns: Outcome[]; merge: Outcome; oneRun: Outcome; oneMerge: Outcome; merged: R; one: R; rooms: string[][]; startedAt: number[]; startAt: number; marks: Mark[][] }

/** A shard's mark taken nearest to the instant `t` (epoch ms); the merge aligns seconds within half of one. */
function nearestMark(marks: Mark[], t: number): Mark {
  const best = marks.reduce((a, m) => (Math.abs(m.t - t) < Math.abs(a.t - t) ? m : a));
  assert.ok(Math.abs(best.t - t) <= 500, `no mark within 500 ms of ${t}`);
  return best;
}

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
  // Counts add: the merged count is every shard's own counters between its marks at the merged
  // window's ends (the marks nearest those instants on wall time), summed, exactly.
  const from = Date.parse(d.merged.startedAt) + d.merged.window.fromS * 1000;
  const to = Date.parse(d.merged.startedAt) + d.merged.window.toS * 1000;
  for (const f of ['framesExpected', 'framesReceived'] as const) {
    const want = d.marks.reduce((a, marks) => {
      const [first, last] = [nearestMark(marks, from), nearestMark(marks, to)];
      return a + last.sessions.reduce((b, x, i) => b + x[f] - first.sessions[i]![f], 0);
    }, 0);
    assert.equal(d.merged.qos.agentAudio[f], want, `${f} over ${d.merged.window.fromS}–${d.merged.window.toS} s`);
  }
  // And they are the window's frames: 100 a second per session, to within the staleness of the
  // counters at each end: a generator reports them every STATS_EVERY_MS (plus 100 ms for its timer
  // running late on a busy host).
  const frames = 100 * (d.merged.window.toS - d.merged.window.fromS) * d.merged.sessions.joined;
  const slack = ((STATS_EVERY_MS + 100) / 10) * d.merged.sessions.joined;
  assert.ok(Math.abs(d.merged.qos.agentAudio.framesExpected - frames) <= slack, `framesExpected ${d.merged.qos.agentAudio.framesExpected}, the window's ${frames.toFixed(1)} ± ${slack}`);
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
