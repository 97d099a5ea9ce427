/**
 * The human room's plumbing, each part on its own: the page server (real, on 127.0.0.1), the
 * checks on what the page posts, the flags, the bundle, and the tokens' grants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { UsageError } from '../harness/common/errors.js';
import { pageBundle } from '../harness/human/bundle.js';
import { humanRoomFor } from '../harness/cli/human.js';
import { parsePageReport } from '../harness/human/page-report.js';
import { startPageServer } from '../harness/human/page-server.js';
import { BROWSER_FLAGS, probeFlags } from '../harness/human/probe.js';
import { mintJoinToken } from '../harness/server/tokens.js';

test('the page server serves the page and bundle on 127.0.0.1 and takes reports only with its key', async () => {
  const reports: unknown[] = [];
  const srv = await startPageServer({ html: '<p>hi</p>', script: 'export {}', connectOrigins: ['ws://127.0.0.1:7880'], onReport: (b) => reports.push(b) });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(srv.url);
    assert.equal(await page.text(), '<p>hi</p>');
    assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self' ws:\/\/127\.0\.0\.1:7880/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(await (await fetch(new URL('app.js', srv.url))).text(), 'export {}');
    assert.equal((await fetch(new URL('other', srv.url))).status, 404);
    const post = (key: string, body: string) => fetch(new URL('report', srv.url), { method: 'POST', headers: { 'x-voiceload-key': key }, body });
    assert.equal((await post('wrong', '{}')).status, 403);
    assert.equal((await post(srv.key, 'not json')).status, 400);
    assert.equal((await post(srv.key, '{"events":[]}')).status, 204);
    assert.deepEqual(reports, [{ events: [] }]);
  } finally {
    await srv.close();
  }
});

test("the page's reports are checked field by field; malformed parts are dropped", () => {
  assert.equal(parsePageReport('x'), null);
  assert.equal(parsePageReport(null), null);
  const r = parsePageReport({
    events: [{ type: 'joined', at: 1 }, { type: 'vad', kind: 'start', sentAt: 1, at: 2 }, { type: 'vad', kind: 'maybe', sentAt: 1, at: 2 }, { type: 'nope', at: 3 }, { type: 'error', message: 'x'.repeat(500), at: 4 }],
    envelope: [{ at: 1, ms: 10, e: [0, 1, 2, 3] }, { at: 1, ms: 0, e: [1] }, { at: 1, ms: 10, e: ['a'] }],
    captureDelayMs: [0.5, 'x', null],
    snapshot: { at: 5, inbound: null, rttMs: 'fast', pair: { local: '198.18.0.1', remote: '', protocol: 'udp' }, candidateAddrs: ['198.18.0.1', 7] },
  });
  assert.ok(r);
  assert.deepEqual(r.events.map((e) => e.type), ['joined', 'vad', 'error']);
  assert.equal((r.events[2] as { message: string }).message.length, 300);
  assert.deepEqual(r.envelope, [{ at: 1, ms: 10, e: [0, 1, 2, 3] }]);
  assert.deepEqual(r.captureDelayMs, [0.5]);
  assert.deepEqual(r.snapshot, { at: 5, inbound: null, rttMs: null, pair: { local: '198.18.0.1', remote: '', protocol: 'udp', localType: '', remoteType: '' }, candidateAddrs: ['198.18.0.1'] });
  // An inbound block missing a counter is not half-read.
  assert.equal(parsePageReport({ snapshot: { at: 1, inbound: { packetsReceived: 1 } } })?.snapshot, null);
});

test('--human and --human-probe add the human room; both at once is bad input', () => {
  assert.equal(parseScenarioArgs(['voice-2', '--human']).human, 'human');
  assert.equal(parseScenarioArgs(['voice-2', '--human-probe']).human, 'probe');
  assert.equal('human' in parseScenarioArgs(['voice-2']), false);
  assert.throws(() => parseScenarioArgs(['voice-2', '--human', '--human-probe']), (e: Error) => e instanceof UsageError && /pick one/.test(e.message));
});

test('--human-probe without Chromium is bad input naming the path and the fix', () => {
  assert.equal(humanRoomFor(undefined), null);
  assert.throws(() => humanRoomFor('probe', { VOICELOAD_CHROMIUM: '/nonexistent/chromium' }),
    (e: Error) => e instanceof UsageError && /\/nonexistent\/chromium.*apt-get install chromium/.test(e.message));
  // A person needs no Chromium here: their own browser opens the link.
  assert.equal(typeof humanRoomFor('human', { VOICELOAD_CHROMIUM: '/nonexistent/chromium' }), 'function');
});

test('the probe launches with the project flags and a fake microphone playing the speech', () => {
  const flags = probeFlags('/x/speech.wav');
  for (const f of BROWSER_FLAGS) assert.ok(flags.includes(f), f);
  assert.deepEqual(BROWSER_FLAGS, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']);
  assert.ok(flags.includes('--use-file-for-fake-audio-capture=/x/speech.wav'));
  assert.ok(flags.includes('--use-fake-device-for-media-stream'));
});

test('the page bundle holds livekit-client and fetches nothing from elsewhere', async () => {
  const js = await pageBundle();
  assert.ok(js.length > 100_000, 'livekit-client is not in the bundle');
  assert.doesNotMatch(js, /import\s*[^;]*from\s*["']https?:/, 'the bundle imports from a URL');
  assert.doesNotMatch(js, /unpkg\.com|jsdelivr|cdnjs/);
});

/** The grants of a LiveKit JWT (its payload, unverified: we only read what we minted). */
function grants(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

test('only the human room agent may send data; the person gets the run-long TTL, nothing more', async () => {
  const server = { apiKey: 'k', apiSecret: 's'.repeat(32) };
  const plain = grants(await mintJoinToken(server, 'r', 'agent-1'));
  const data = grants(await mintJoinToken(server, 'r', 'agent-human', { canPublishData: true }));
  const person = grants(await mintJoinToken(server, 'r', 'human', { ttlS: 600 }));
  assert.equal(plain.video.canPublishData, false);
  assert.equal(data.video.canPublishData, true);
  assert.equal(person.video.canPublishData, false);
  for (const g of [plain, data, person]) {
    assert.equal(g.video.room, 'r');
    assert.deepEqual(g.video.canPublishSources, ['microphone']);
    assert.equal(g.video.roomAdmin, undefined);
  }
  assert.equal(plain.exp - plain.nbf, 300);
  assert.equal(person.exp - person.nbf, 600);
});
