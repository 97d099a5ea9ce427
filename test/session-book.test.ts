import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentAudioStats } from '../harness/sessions/ipc.js';
import type { HistogramData, SessionRecord } from '../harness/results/types.js';
import { SessionBook } from '../harness/sessions/book.js';

const H1: HistogramData = { bucketMs: 0.1, counts: [1, 2], overflow: 0, count: 3, maxMs: 0.2 };
const H2: HistogramData = { bucketMs: 0.1, counts: [0, 0, 5], overflow: 1, count: 6, maxMs: 2000 };
const H3: HistogramData = { bucketMs: 0.1, counts: [4], overflow: 0, count: 4, maxMs: 0.1 };
const AUDIO: AgentAudioStats = { framesReceived: 98, framesExpected: 100, gapsOver100ms: 1, maxGapMs: 130, generatorStalls: 0, gaps: [{ at: 8000, ms: 130 }], dominantHz: [440, 440.1] };

function fresh(index: number, room: string): SessionRecord {
  return {
    index, room, agentJoinedAt: null, userJoinedAt: null, speech: null, sendEndAt: null,
    vadStarts: [], vadEnds: [], agentAudio: null, publishLate: null, agentPublishLate: null, vadInferMs: null, agentLoopDelay: null, atWindowStart: null, candidateAddrs: [], errors: [],
  };
}

function bookOf(n: number): SessionBook {
  const book = new SessionBook();
  for (let i = 0; i < n; i++) book.add(i, `room-${i}`);
  return book;
}

test('SessionBook: add starts an empty record; all() is sorted by index', () => {
  const book = new SessionBook();
  book.add(2, 'r2');
  const r0 = book.add(0, 'r0');
  book.add(1, 'r1');
  assert.deepEqual(r0, fresh(0, 'r0'));
  assert.equal(book.get(0), r0);
  assert.equal(book.get(7), undefined);
  assert.deepEqual(book.all().map((r) => r.index), [0, 1, 2]);
  assert.deepEqual(book.all().map((r) => r.room), ['r0', 'r1', 'r2']);
});

test('SessionBook: agent messages update only that session', () => {
  const book = bookOf(3);
  book.fromAgent(1, { type: 'joined', at: 5000 });
  book.fromAgent(1, { type: 'listening', at: 5100 });
  book.fromAgent(1, { type: 'vad', kind: 'start', at: 6000, audioMs: 500 });
  book.fromAgent(1, { type: 'vad', kind: 'end', at: 8000, audioMs: 2300 });
  book.fromAgent(1, { type: 'vad', kind: 'start', at: 8900, audioMs: 3100 });
  book.fromAgent(1, { type: 'stats', publishLate: H1, vadInferMs: H2, loopDelay: H1, windows: 10 });
  book.fromAgent(1, { type: 'error', message: 'model failed' });

  assert.deepEqual(book.get(1), {
    ...fresh(1, 'room-1'),
    agentJoinedAt: 5000,
    vadStarts: [6000, 8900],
    vadEnds: [8000],
    agentPublishLate: H1,
    vadInferMs: H2,
    agentLoopDelay: H1,
    errors: ['agent: model failed'],
  });
  assert.deepEqual(book.get(0), fresh(0, 'room-0'));
  assert.deepEqual(book.get(2), fresh(2, 'room-2'));
  // The agent's stats never land in the user's fields.
  assert.equal(book.get(1)!.publishLate, null);
});

test('SessionBook: generator messages update the session they name', () => {
  const book = bookOf(3);
  book.fromGenerator({ type: 'user-joined', index: 2, at: 4000 });
  book.fromGenerator({ type: 'user-speech', index: 2, t0: 4100, loopMs: 15500 });
  book.fromGenerator({ type: 'user-stats', index: 2, publishLate: H3, agentAudio: AUDIO, lastSentAt: 9000, publishDropped: 0 });
  book.fromGenerator({ type: 'user-candidates', index: 2, addresses: ['127.0.0.1', '198.18.0.1'] });
  book.fromGenerator({ type: 'user-error', index: 2, message: 'receive: closed' });

  assert.deepEqual(book.get(2), {
    ...fresh(2, 'room-2'),
    userJoinedAt: 4000,
    speech: { t0: 4100, loopMs: 15500 },
    publishLate: H3,
    agentAudio: AUDIO,
    publishDropped: 0,
    sendEndAt: 9000,
    candidateAddrs: ['127.0.0.1', '198.18.0.1'],
    errors: ['user: receive: closed'],
  });
  assert.deepEqual(book.get(0), fresh(0, 'room-0'));
  assert.deepEqual(book.get(1), fresh(1, 'room-1'));

  // Later stats replace earlier ones (they are cumulative); a null lastSentAt is kept as null.
  book.fromGenerator({ type: 'user-stats', index: 2, publishLate: H1, agentAudio: { ...AUDIO, framesReceived: 99 }, lastSentAt: null, publishDropped: 0 });
  assert.equal(book.get(2)!.publishLate, H1);
  assert.equal(book.get(2)!.agentAudio!.framesReceived, 99);
  assert.equal(book.get(2)!.sendEndAt, null);
  // The agent's fields are untouched by the user.
  assert.equal(book.get(2)!.agentPublishLate, null);
  assert.equal(book.get(2)!.agentJoinedAt, null);
});

test('SessionBook: messages for unknown sessions, and generator-wide ones, change nothing', () => {
  const book = bookOf(2);
  const before = structuredClone(book.all());
  book.fromAgent(9, { type: 'joined', at: 1 });
  book.fromAgent(9, { type: 'error', message: 'x' });
  book.fromGenerator({ type: 'user-joined', index: 5, at: 1 });
  book.fromGenerator({ type: 'error', message: 'generator crashed' });
  assert.deepEqual(book.all(), before);
  assert.equal(book.get(9), undefined);
  assert.equal(book.get(5), undefined);
});

test('SessionBook: active() counts only sessions where both agent and user joined', () => {
  const book = bookOf(4);
  assert.equal(book.active(), 0);
  book.fromAgent(0, { type: 'joined', at: 100 });
  assert.equal(book.active(), 0);
  book.fromGenerator({ type: 'user-joined', index: 1, at: 110 });
  assert.equal(book.active(), 0, 'agent of 0 and user of 1 are not a session');
  book.fromGenerator({ type: 'user-joined', index: 0, at: 120 });
  assert.equal(book.active(), 1);
  book.fromAgent(1, { type: 'joined', at: 130 });
  assert.equal(book.active(), 2);
  book.fromAgent(3, { type: 'joined', at: 140 });
  assert.equal(book.active(), 2);
  // Joined at epoch 0 is still joined (null, not falsy, means never).
  book.fromGenerator({ type: 'user-joined', index: 3, at: 0 });
  assert.equal(book.active(), 3);
  // A finite session that is over is no longer active, and counts as ended.
  assert.equal(book.ended(), 0);
  book.get(1)!.endedAt = 200;
  assert.deepEqual([book.active(), book.ended()], [2, 1]);
});

test('SessionBook: fault() adds the message to every matching session only', () => {
  const book = bookOf(25);
  book.fromAgent(12, { type: 'error', message: 'first' });
  // Generator 1 hosts users 10..19 at 10 users per generator.
  book.fault((r) => Math.floor(r.index / 10) === 1, 'generator 1 exited with code 1');
  book.fault((r) => r.index === 12, 'agent 12 exited');
  book.fault(() => false, 'nobody');
  for (const r of book.all()) {
    if (r.index === 12) assert.deepEqual(r.errors, ['agent: first', 'generator 1 exited with code 1', 'agent 12 exited']);
    else if (r.index >= 10 && r.index <= 19) assert.deepEqual(r.errors, ['generator 1 exited with code 1'], `session ${r.index}`);
    else assert.deepEqual(r.errors, [], `session ${r.index}`);
  }
});

test('SessionBook: a mark holds every session\'s and generator\'s counters as they stood', () => {
  const book = bookOf(2);
  book.fromGenerator({ type: 'user-stats', index: 0, publishLate: H3, agentAudio: AUDIO, lastSentAt: 9000, publishDropped: 0 }, 0);
  book.fromGenerator({ type: 'generator-stats', loopDelay: H2, clockNice: 0 }, 1);
  book.fromAgent(1, { type: 'stats', publishLate: H1, vadInferMs: H2, loopDelay: H3, windows: 10 });
  const mark = book.mark(12_000);
  assert.equal(mark.elapsedMs, 12_000);
  assert.deepEqual(mark.sessions[0], { publishLate: H3, agentPublishLate: null, agentLoopDelay: null, framesExpected: 100, framesReceived: 98, gapsOver100ms: 1, generatorStalls: 0, publishDropped: 0 });
  assert.deepEqual(mark.sessions[1], { publishLate: null, agentPublishLate: H1, agentLoopDelay: H3, framesExpected: 0, framesReceived: 0, gapsOver100ms: 0, generatorStalls: 0, publishDropped: 0 });
  // Generator 0 has not reported yet; generator 1 has.
  assert.deepEqual(mark.generators, [null, H2]);
  // Later stats do not change a mark already taken.
  book.fromGenerator({ type: 'generator-stats', loopDelay: H1, clockNice: -20 }, 1);
  assert.deepEqual(mark.generators, [null, H2]);
  book.markWindowStart();
  // The clock threads' nice is the latest the generator read back; unknown before it reports.
  assert.deepEqual(book.generatorLoopDelays(), [{ latest: null, atWindowStart: null, clockNice: null }, { latest: H1, atWindowStart: H1, clockNice: -20 }]);
});
