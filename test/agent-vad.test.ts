/**
 * The tone-only agents of the generator bench (VOICELOAD_AGENT_VAD=off): said at once when the value
 * or the runtime is wrong, and a run of them is never valid, so nothing is sized from it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentVad, NO_VAD_REASON } from '../harness/sessions/agent-vad.js';
import { assembleResult } from '../harness/run/assemble.js';
import { UsageError } from '../harness/common/errors.js';
import { shardRun } from './support/shard-input.js';

test('VOICELOAD_AGENT_VAD: unset, empty or on runs VAD; off only for bare agents; anything else is a usage error', () => {
  assert.equal(agentVad('bare', {}), true);
  assert.equal(agentVad('bare', { VOICELOAD_AGENT_VAD: '' }), true);
  assert.equal(agentVad('framework', { VOICELOAD_AGENT_VAD: 'on' }), true);
  assert.equal(agentVad('bare', { VOICELOAD_AGENT_VAD: 'off' }), false);
  assert.throws(() => agentVad('bare', { VOICELOAD_AGENT_VAD: 'no' }), (e) => e instanceof UsageError && /VOICELOAD_AGENT_VAD=no is not on or off/.test(e.message));
  assert.throws(() => agentVad('python', { VOICELOAD_AGENT_VAD: 'off' }), (e) => e instanceof UsageError && /bare runtime's agents, not to python workers/.test(e.message));
});

test('a run whose agents ran without VAD is invalid for that reason, and its basis says so', () => {
  const { file, samples } = shardRun({ index: 0, count: 1, totalSessions: 2 });
  const input = { ...file.input, samples };
  const plain = assembleResult(input, { runtime: {}, human: null });
  const toneOnly = assembleResult(input, { runtime: { invalidReason: NO_VAD_REASON, basisNote: 'tone-only agents, without VAD' }, human: null });
  assert.equal(toneOnly.valid, false);
  assert.deepEqual(toneOnly.invalidReasons, [...plain.invalidReasons, NO_VAD_REASON]);
  assert.match(toneOnly.perSession.basis, /; tone-only agents, without VAD$/);
});
