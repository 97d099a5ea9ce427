/**
 * The human room's page. Bundled with livekit-client by esbuild on first use and served from
 * 127.0.0.1 by the harness (harness/human/page-server.ts); nothing is fetched from anywhere else.
 *
 * The link's fragment (never sent to any server) carries the LiveKit URL, a short-lived room token,
 * the key for reporting back, and the mode: 'human' waits for a click (browsers want a gesture
 * before they play sound); 'probe' joins at once with Chromium's fake microphone and also reports
 * the energy of what that microphone captured, for the harness to find the fixture's sentences in.
 * Once a second the page reads WebRTC stats for the agent's track, shows them, and posts them.
 */
import { Room, RoomEvent, Track, createLocalAudioTrack } from 'livekit-client';
import { chunkEnergies } from '../align.ts';
import { secondRow, snapshotFromStats } from '../webrtc-stats.ts';

const hash = new URLSearchParams(location.hash.slice(1));
const cfg = {
  url: hash.get('url') ?? '',
  token: hash.get('token') ?? '',
  key: hash.get('key') ?? '',
  probe: hash.get('mode') === 'probe',
  agent: hash.get('agent') ?? '',
  topic: hash.get('topic') ?? 'voiceload.vad',
};
// The token has been read: keep it out of the address bar and the history.
history.replaceState(null, '', location.pathname);

const $ = (id) => document.getElementById(id);
const epoch = () => performance.timeOrigin + performance.now();
let events = [];
let envelope = [];
let captureDelays = [];
let prev = null;
let remote = null;
let local = null;

function say(text) {
  $('status').textContent = text;
}

function event(e) {
  events.push({ ...e, at: e.at ?? epoch() });
}

async function post(body) {
  const res = await fetch('/report', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-voiceload-key': cfg.key },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`report refused: ${res.status}`);
}

const fmt = (x, unit, digits = 1) => (x === null || x === undefined ? '–' : `${x.toFixed(digits)} ${unit}`);

function render(row, snap) {
  $('level').textContent = fmt(row?.levelDbfs, 'dBFS');
  $('concealed').textContent = fmt(row?.concealedPct, '%', 2);
  $('loss').textContent = row ? `${row.packetsLost} (${fmt(row.lossPct, '%', 2)})` : '–';
  $('jitter').textContent = fmt(row?.jitterMs, 'ms');
  $('rtt').textContent = fmt(snap.rttMs, 'ms');
  $('jb').textContent = fmt(row?.jitterBufferMs, 'ms');
  $('pair').textContent = snap.pair ? `${snap.pair.local || snap.pair.localType} → ${snap.pair.remote || snap.pair.remoteType} (${snap.pair.protocol})` : '–';
}

function showVad(msg, receivedAt) {
  const li = document.createElement('li');
  li.className = msg.kind;
  const when = new Date(msg.at).toISOString().slice(11, 23);
  li.textContent = `${msg.kind === 'start' ? 'speech started' : 'speech ended'} at ${when} (reached this page ${(receivedAt - msg.at).toFixed(0)} ms later)`;
  $('vad').prepend(li);
}

/** Energy of the captured microphone in ~2.5 ms parts, on Chrome's capture timestamps (probe only). */
async function captureEnvelope(track) {
  // eslint-disable-next-line no-undef
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const buf = new Float32Array(value.numberOfFrames);
    value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
    const { ms, e } = chunkEnergies(buf, value.sampleRate);
    // AudioData.timestamp is the capture time in µs on the page's performance clock.
    const at = performance.timeOrigin + value.timestamp / 1000;
    captureDelays.push(epoch() - at);
    envelope.push({ at, ms, e });
    value.close();
  }
}

async function tick() {
  let snapshot = null;
  if (remote) {
    const recv = await remote.getRTCStatsReport();
    const send = local ? await local.getRTCStatsReport() : undefined;
    snapshot = snapshotFromStats(epoch(), recv ? [...recv.values()] : [], send ? [...send.values()] : []);
    render(secondRow(prev, snapshot), snapshot);
    prev = snapshot;
  }
  const body = { events, snapshot, envelope, captureDelayMs: captureDelays };
  events = [];
  envelope = [];
  captureDelays = [];
  await post(body);
}

async function join() {
  say('opening the microphone…');
  local = await createLocalAudioTrack(cfg.probe
    ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false }
    : { echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  if (cfg.probe) captureEnvelope(local.mediaStreamTrack.clone()).catch((err) => event({ type: 'error', message: `capture: ${err.message}` }));
  const room = new Room({ adaptiveStream: false, dynacast: false });
  room.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
    if (track.kind !== Track.Kind.Audio || (cfg.agent && participant.identity !== cfg.agent)) return;
    const el = track.attach();
    document.body.appendChild(el);
    el.play().catch((err) => event({ type: 'error', message: `playback: ${err.message}` }));
    remote = track;
    event({ type: 'subscribed' });
    say('in the room: you should hear the tone; speak and watch the VAD');
  });
  room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => {
    if (topic !== cfg.topic) return;
    const receivedAt = epoch();
    const msg = JSON.parse(new TextDecoder().decode(payload));
    event({ type: 'vad', kind: msg.kind, sentAt: msg.at, at: receivedAt });
    showVad(msg, receivedAt);
  });
  room.on(RoomEvent.Disconnected, () => {
    event({ type: 'disconnected' });
    say('left the room (the run has ended or the server went away)');
  });
  say('joining…');
  await room.connect(cfg.url, cfg.token, { autoSubscribe: true });
  await room.localParticipant.publishTrack(local, { source: Track.Source.Microphone });
  event({ type: 'joined' });
  if (!remote) say('joined; waiting for the agent');
  setInterval(() => tick().catch((err) => say(`could not report: ${err.message}`)), 1000);
}

function start() {
  join().catch((err) => {
    say(`could not join: ${err.message}`);
    event({ type: 'error', message: `join: ${err.message}` });
    tick().catch(() => undefined);
  });
}

window.addEventListener('error', (e) => event({ type: 'error', message: `page: ${e.message}` }));
if (!cfg.url || !cfg.token) {
  say('this link is incomplete: open the whole link the harness printed');
} else if (cfg.probe) {
  start();
} else {
  $('join').hidden = false;
  say('press the button to join');
  $('join').addEventListener('click', () => {
    $('join').hidden = true;
    start();
  }, { once: true });
  $('note').textContent = 'Use headphones: the tone from loudspeakers would reach your microphone and the VAD.';
}
