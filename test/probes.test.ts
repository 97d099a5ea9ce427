/**
 * The generator's probe design (issue 12): which users listen to their agent, and how the run's
 * tone verdict counts only those, while a listening user that never reported still counts against it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate } from '../harness/results/aggregate.js';
import { renderSummary } from '../harness/report/summary-md.js';
import { GENERATOR_DESIGNS, listens } from '../harness/sessions/ipc.js';
import { baseInput, session, START } from './support/run-input.js';

test('listens: every user in the full designs; with probes sessions 0–3, then every fourth', () => {
  const idx = Array.from({ length: 21 }, (_, i) => i);
  assert.ok(idx.every((i) => listens(GENERATOR_DESIGNS.chunks, i) && listens(GENERATOR_DESIGNS.frames, i)));
  assert.deepEqual(idx.filter((i) => listens(GENERATOR_DESIGNS.probes, i)), [0, 1, 2, 3, 4, 8, 12, 16, 20]);
});

/** baseInput's two sessions plus session 2, joined, whose user did not listen. */
function withDeafUser() {
  const input = baseInput();
  input.requestedSessions = 3;
  input.sessions.push(session(2, { agentJoinedAt: START + 2000, userJoinedAt: START + 1500, listens: false }));
  return input;
}

test('aggregate with probes: only the listening sessions are judged for the tone, and the summary says so', () => {
  const input = withDeafUser();
  input.sessions[0]!.agentAudio!.gapsOver100ms = 0;
  input.sessions[0]!.agentAudio!.framesReceived = 1000;
  input.sessions[1]!.agentAudio!.dominantHz = [440];
  const a = aggregate(input).qos.agentAudio;
  assert.equal(a.sessionsListening, 2);
  assert.equal(a.sessionsHearingTone, 2);
  assert.equal(a.toneOk, true, 'the deaf user\'s session is not a session that failed to hear');
  const md = renderSummary(aggregate(input));
  assert.match(md, /2 of the 2 listening sessions hear it; the users of the other 1 do not subscribe to their agent/);
});

test('aggregate with probes: a listening user that never reported its agent\'s audio fails the tone', () => {
  const input = withDeafUser();
  input.sessions[1]!.agentAudio = null;
  const a = aggregate(input).qos.agentAudio;
  assert.equal(a.sessionsListening, 2);
  assert.equal(a.sessionsHearingTone, 1);
  assert.equal(a.toneOk, false);
});
