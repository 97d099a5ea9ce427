import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudioFrame, AudioSource, dispose } from '@livekit/rtc-node';
import { stopRustLogCapture } from '../harness/media/rtc-logs.js';

test('stopRustLogCapture: nothing to change before rtc-node has a client; after it, FFI events still arrive', async () => {
  assert.equal(stopRustLogCapture(), false);
  const source = new AudioSource(48_000, 1, 100); // rtc-node creates its FFI client here
  try {
    assert.equal(stopRustLogCapture(), true);
    // captureFrame resolves only when its completion event comes back through the new callback.
    for (let i = 0; i < 5; i++) await source.captureFrame(new AudioFrame(new Int16Array(480), 48_000, 1, 480));
  } finally {
    await source.close();
    await dispose();
  }
});
