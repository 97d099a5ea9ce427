/**
 * Which generator design a run uses and what its users publish (issue 12): celt by default, at
 * the bitrate where libopus codes a voice in CELT alone; rtc-node's default in chunks; an unknown
 * name is bad input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrackSource } from '@livekit/rtc-node';
import { UsageError } from '../harness/common/errors.js';
import { CELT_BITRATE_BPS, GENERATOR_DESIGNS, generatorDesign } from '../harness/sessions/ipc.js';
import { speechPublishOptions } from '../harness/users/publish-options.js';

test('generatorDesign: celt unless VOICELOAD_GENERATOR_DESIGN names another; an unknown name is bad input naming the choices', () => {
  assert.equal(generatorDesign({}).name, 'celt');
  assert.equal(generatorDesign({ VOICELOAD_GENERATOR_DESIGN: '' }).name, 'celt');
  assert.equal(generatorDesign({ VOICELOAD_GENERATOR_DESIGN: 'chunks' }).name, 'chunks');
  assert.throws(() => generatorDesign({ VOICELOAD_GENERATOR_DESIGN: 'fast' }), (err: Error) =>
    err instanceof UsageError && /VOICELOAD_GENERATOR_DESIGN=fast/.test(err.message) && /frames, chunks, celt, probes/.test(err.message));
});

test('speechPublishOptions: a microphone; celt and probes cap Opus at 64 kbps, chunks and frames leave rtc-node its default', () => {
  for (const d of Object.values(GENERATOR_DESIGNS)) {
    const o = speechPublishOptions(d);
    assert.equal(o.source, TrackSource.SOURCE_MICROPHONE, d.name);
    const capped = d.name === 'celt' || d.name === 'probes';
    assert.equal(o.audioEncoding?.maxBitrate, capped ? BigInt(CELT_BITRATE_BPS) : undefined, d.name);
  }
  assert.equal(CELT_BITRATE_BPS, 64_000);
});
