/**
 * openAudioStream against a real livekit-server (in a private namespace): a stream opens on a
 * subscribed track and carries audio; on a room told to disconnect while its TrackSubscribed event
 * was on its way, rtc-node's own AudioStream fails with the FFI's "handle is not a ...FfiTrack"
 * (the room looks connected still), and openAudioStream reports the room's end (null), not an error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNetns } from './support/netns.js';
import type { OpenOutcome } from './support/open-audio-drill.js';

const drill = runInNetns<{ plain: OpenOutcome; races: OpenOutcome[] }>(
  fileURLToPath(new URL('./support/open-audio-drill.js', import.meta.url)),
  [],
  // rtc-node logs at debug level on stdout unless NODE_ENV is production; stdout is the drill's JSON.
  { NODE_ENV: 'production' },
);

test('openAudioStream: a subscribed track opens and carries audio', { timeout: 120_000 }, async () => {
  const { plain } = await drill;
  assert.deepEqual(plain, { rawError: null, opened: true, frame: true, connectedAtOpen: true });
});

test('openAudioStream: a track whose room is closing as it arrives ends quietly (null), where AudioStream throws', { timeout: 120_000 }, async () => {
  const { races } = await drill;
  // The FFI drops the track's handle on its own thread soon after the disconnect request: most
  // attempts lose the race at rtc-node's AudioStream (measured: 13 of 14), some only at ours.
  const lost = races.filter((r) => r.rawError !== null);
  assert.ok(lost.length > 0, `the race never happened: ${JSON.stringify(races)}`);
  for (const r of lost) {
    assert.match(r.rawError!, /handle is not a livekit_ffi::server::room::FfiTrack/, JSON.stringify(r));
    assert.equal(r.opened, false, JSON.stringify(r));
  }
  // It never threw (the drill would have failed), and the room said it was connected throughout.
  for (const r of races) assert.equal(r.connectedAtOpen, true, JSON.stringify(r));
});
