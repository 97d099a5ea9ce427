/**
 * Run inside a private namespace by open-audio-e2e.test.ts: a real livekit-server, a user room
 * publishing a tone and an agent room subscribing to it, three ways. `plain`: the agent opens its
 * stream as the track arrives. `race` (three times): the agent's room is told to disconnect while its
 * TrackSubscribed event is on its way, as a job told to shut down as it joins is. Prints JSON.
 */
import path from 'node:path';
import { AudioStream, dispose, Room, RoomEvent, type RemoteTrack } from '@livekit/rtc-node';
import { publishTone } from '../../harness/media/publish-tone.js';
import { LatencyHistogram } from '../../harness/results/histogram.js';
import { startLocalServer } from '../../harness/server/local.js';
import { provisionServer } from '../../harness/server/provision.js';
import { mintJoinToken } from '../../harness/server/tokens.js';
import type { ServerHandle } from '../../harness/server/types.js';
import { openAudioStream } from '../../harness/runtimes/workers/open-audio.js';
import { testDir } from './tmp.js';

export interface OpenOutcome { rawError: string | null; opened: boolean; frame: boolean; connectedAtOpen: boolean }

const OPTS = { sampleRate: 48_000, numChannels: 1 };

/** The FFI client's event emitter: rtc-node keeps its singleton on globalThis and does not export it. */
interface FfiEvents { on(ev: 'ffi_event', f: (e: { message: { case?: string; value?: { roomHandle?: bigint; message?: { case?: string } } } }) => void): void }

/** Disconnects `room` from inside the FFI event delivery of its TrackSubscribed: before the Room emits it. */
function disconnectOnTrackSubscribed(room: Room): void {
  const ffi = (globalThis as { _ffiClientInstance?: FfiEvents })._ffiClientInstance!;
  const handle = () => (room as unknown as { ffiHandle?: { handle: bigint } }).ffiHandle?.handle;
  ffi.on('ffi_event', (e) => {
    const v = e.message.value;
    if (e.message.case === 'roomEvent' && v?.roomHandle === handle() && v?.message?.case === 'trackSubscribed') void room.disconnect();
  });
}

async function firstFrame(stream: AudioStream): Promise<boolean> {
  const reader = stream.getReader();
  const got = await Promise.race([reader.read().then((r) => !r.done), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
  await reader.cancel();
  return got;
}

async function attempt(server: ServerHandle, room: string, race: boolean): Promise<OpenOutcome> {
  const user = new Room();
  await user.connect(server.url, await mintJoinToken(server, room, 'user'), { autoSubscribe: false, dynacast: false });
  const tone = await publishTone(user.localParticipant!, 440, new LatencyHistogram());
  const agent = new Room();
  if (race) disconnectOnTrackSubscribed(agent);
  const outcome = new Promise<OpenOutcome>((resolve, reject) => {
    agent.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      const connectedAtOpen = agent.isConnected;
      let rawError: string | null = null;
      try {
        void new AudioStream(track, OPTS).cancel();
      } catch (err) {
        rawError = (err as Error).message;
      }
      openAudioStream(track, agent, OPTS).then(async (s) => resolve({ rawError, opened: s !== null, frame: s ? await firstFrame(s) : false, connectedAtOpen }), reject);
    });
  });
  await agent.connect(server.url, await mintJoinToken(server, room, 'agent'), { autoSubscribe: true, dynacast: false });
  const result = await Promise.race([outcome, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${room}: no TrackSubscribed within 15 s`)), 15_000))]);
  await agent.disconnect();
  await tone.stop();
  await user.disconnect();
  return result;
}

const tmp = testDir('vl-open-audio-');
const addrs = (process.env.VOICELOAD_NETNS_ADDRS ?? '').split(',').filter(Boolean);
const server = await startLocalServer({ binary: await provisionServer(() => undefined), logFile: path.join(tmp, 'server.log'), mediaAddrs: addrs });
try {
  const plain = await attempt(server, 'plain', false);
  const races: OpenOutcome[] = [];
  for (const n of [1, 2, 3]) races.push(await attempt(server, `race-${n}`, true));
  process.stdout.write(JSON.stringify({ plain, races }));
} finally {
  await server.stop();
  await dispose();
}
