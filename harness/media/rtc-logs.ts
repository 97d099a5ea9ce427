/**
 * Turning off rtc-node's capture of the Rust SDK's log records, in a process that never reads them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EventEmitter } from 'node:events';

/** The two entries of rtc-node's own FFI bindings used here. */
interface FfiBindings {
  livekitInitialize(callback: (data: Uint8Array) => void, captureLogs: boolean, sdkVersion: string): void;
  FfiEvent: { fromBinary(data: Uint8Array): unknown };
}

/**
 * rtc-node starts its FFI server with log capture on, and then every Rust log record at any level
 * (libwebrtc at debug, the signalling websocket at trace: about 70 a second per connected room in
 * a generator, 7 FFI events in 10) is sent to JavaScript as an event, decoded, and handed to every
 * Room's listener, and nothing reads it. This sets the server up again without capture: only its
 * configuration is replaced (rooms and handles are untouched), with the callback rtc-node's own
 * client uses, so every other event reaches the same listeners. Records then go to env_logger
 * (RUST_LOG; errors only by default) on stderr. The bindings are loaded from rtc-node's own
 * location, so they are the copy it initialised. Call it once the client exists (rtc-node creates
 * it with the first AudioSource or Room); returns false, changing nothing, before that, and true
 * once it has tried (it gives up quietly when rtc-node's internals are not where it expects them).
 */
export function stopRustLogCapture(): boolean {
  const client = (globalThis as { _ffiClientInstance?: EventEmitter })._ffiClientInstance;
  if (!client) return false;
  // rtc-node internals: should a later version move them, capture stays on (it only costs CPU).
  try {
    const rtcNodeMain = createRequire(import.meta.url).resolve('@livekit/rtc-node');
    const bindings = createRequire(rtcNodeMain)('@livekit/rtc-ffi-bindings') as FfiBindings;
    if (typeof bindings.livekitInitialize !== 'function' || typeof bindings.FfiEvent?.fromBinary !== 'function') return true;
    const { version } = JSON.parse(readFileSync(join(dirname(rtcNodeMain), '..', 'package.json'), 'utf8')) as { version: string };
    bindings.livekitInitialize((data) => client.emit('ffi_event', bindings.FfiEvent.fromBinary(data)), false, version);
  } catch {
    // as above: leave capture on
  }
  return true;
}
