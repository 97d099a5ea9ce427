import { AudioStream, RoomEvent, type Room, type Track } from '@livekit/rtc-node';

/** How long a failed open waits for the room to close: its disconnect callback follows the request (~30 ms measured). */
export const CLOSE_WAIT_MS = 5_000;

/** Whether `room` is disconnected now or within `ms`. */
function closesWithin(room: Room, ms: number): Promise<boolean> {
  if (!room.isConnected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      room.off(RoomEvent.Disconnected, done);
      resolve(!room.isConnected);
    }, ms);
    room.once(RoomEvent.Disconnected, done);
  });
}

/**
 * Opens an audio stream on a track of `room`; null when the room was closing under it.
 *
 * room.disconnect() (a job told to shut down, its user gone) makes the FFI server swap every
 * subscribed track's handle for an empty one at once, while a TrackSubscribed event already on its
 * way to JavaScript is still emitted, with `room.isConnected` still true: a stream opened on that
 * track fails with "handle is not a livekit_ffi::server::room::FfiTrack". That is the room ending,
 * not a failure to listen; any other failure, or one on a room that stays up, is thrown.
 */
export async function openAudioStream(track: Track, room: Room, opts: { sampleRate: number; numChannels: number }, waitMs = CLOSE_WAIT_MS): Promise<AudioStream | null> {
  try {
    return new AudioStream(track, opts);
  } catch (err) {
    if (await closesWithin(room, waitMs)) return null;
    throw err;
  }
}
