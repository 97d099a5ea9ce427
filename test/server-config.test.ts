import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { childEnv } from '../harness/child/env.js';
import { isLoopback, networkViolation } from '../harness/results/network-check.js';
import type { RunInput, SessionRecord } from '../harness/results/types.js';
import { renderServerConfig, type LocalServerConfig } from '../harness/server/config.js';
import { mintJoinToken, TOKEN_TTL_S } from '../harness/server/tokens.js';
import { candidateAddresses } from '../harness/users/candidates.js';

const BASE: LocalServerConfig = { apiKey: 'devkey', apiSecret: 'devsecret-0123456789', signalPort: 7880, tcpPort: 7881, udpPort: 7882, mediaAddrs: [] };

/** The value of `key:` under the YAML line `rtc:` (two-space indent), or at the top level. */
function yamlValue(yaml: string, key: string, section?: string): string | undefined {
  const lines = yaml.split('\n');
  const from = section === undefined ? 0 : lines.indexOf(`${section}:`) + 1;
  const indent = section === undefined ? '' : '  ';
  for (const line of lines.slice(from)) {
    if (section !== undefined && !line.startsWith('  ')) break;
    if (line.startsWith(`${indent}${key}:`)) return line.slice(indent.length + key.length + 1).trim();
  }
  return undefined;
}

test('renderServerConfig: with namespace addresses, media only on them', () => {
  const yaml = renderServerConfig({ ...BASE, mediaAddrs: ['198.18.0.1', '198.18.0.2'] });
  assert.equal(yamlValue(yaml, 'node_ip', 'rtc'), '198.18.0.1');
  assert.equal(yamlValue(yaml, 'enable_loopback_candidate', 'rtc'), 'false');
  assert.equal(yamlValue(yaml, 'use_external_ip', 'rtc'), 'false');
  assert.equal(yamlValue(yaml, 'stun_servers', 'rtc'), '["127.0.0.1:3478"]');
  assert.equal(yamlValue(yaml, 'bind_addresses'), '["127.0.0.1"]');
  assert.equal(yamlValue(yaml, 'port'), '7880');
  assert.match(yaml, /\n {2}ips:\n {4}includes: \["198\.18\.0\.1\/32", "198\.18\.0\.2\/32"\]\n/);
  assert.doesNotMatch(yaml, /127\.0\.0\.0\/8/);
  // No public STUN server anywhere (the server's default is Google's).
  assert.doesNotMatch(yaml, /google|stun\.l\./i);
});

test('renderServerConfig: without addresses, loopback only; the whole file by hand', () => {
  const yaml = renderServerConfig(BASE);
  assert.equal(yamlValue(yaml, 'node_ip', 'rtc'), '127.0.0.1');
  assert.equal(yamlValue(yaml, 'enable_loopback_candidate', 'rtc'), 'true');
  assert.equal(
    yaml,
    [
      'port: 7880',
      'bind_addresses: ["127.0.0.1"]',
      'rtc:',
      '  tcp_port: 7881',
      '  udp_port: 7882',
      '  use_external_ip: false',
      '  node_ip: 127.0.0.1',
      '  stun_servers: ["127.0.0.1:3478"]',
      '  enable_loopback_candidate: true',
      '  ips:',
      '    includes: ["127.0.0.0/8"]',
      'keys:',
      '  devkey: devsecret-0123456789',
      'logging:',
      '  level: info',
      'room:',
      '  empty_timeout: 30',
      '',
    ].join('\n'),
  );
});

test('childEnv: an allow-list; secrets and arbitrary variables stay behind', () => {
  const from = {
    PATH: '/usr/bin:/bin', HOME: '/home/u', LANG: 'C.UTF-8',
    LIVEKIT_API_SECRET: 'sekrit', LIVEKIT_API_KEY: 'key', LIVEKIT_URL: 'wss://x', FOO: 'bar', AWS_SECRET_ACCESS_KEY: 'a', NODE_ENV: 'development',
  };
  assert.deepEqual(childEnv({}, from), { PATH: '/usr/bin:/bin', HOME: '/home/u', LANG: 'C.UTF-8', NODE_ENV: 'production' });
  assert.deepEqual(childEnv({ VOICELOAD_ROLE: 'agent' }, {}), { NODE_ENV: 'production', VOICELOAD_ROLE: 'agent' });
  assert.deepEqual(childEnv({}, { VOICELOAD_NETNS: 'ns1', VOICELOAD_NETNS_ADDRS: '198.18.0.1' }), {
    VOICELOAD_NETNS: 'ns1', VOICELOAD_NETNS_ADDRS: '198.18.0.1', NODE_ENV: 'production',
  });
});

test('childEnv: by default reads process.env, still without the secret', () => {
  const saved = process.env.LIVEKIT_API_SECRET;
  process.env.LIVEKIT_API_SECRET = 'from-process-env';
  try {
    const env = childEnv();
    assert.equal(env.LIVEKIT_API_SECRET, undefined);
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.NODE_ENV, 'production');
    assert.ok(!Object.values(env).includes('from-process-env'));
  } finally {
    if (saved === undefined) delete process.env.LIVEKIT_API_SECRET;
    else process.env.LIVEKIT_API_SECRET = saved;
  }
});

test('mintJoinToken: a short-lived, signed token for this room only, no data, no admin', async () => {
  const server = { apiKey: 'APIkey123', apiSecret: 'a-secret-of-sufficient-length-0123' };
  const jwt = await mintJoinToken(server, 'room-7', 'user-7');
  const parts = jwt.split('.');
  assert.equal(parts.length, 3);
  const [header, body, signature] = parts as [string, string, string];
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'HS256' });
  // Signed with the API secret.
  assert.equal(signature, createHmac('sha256', server.apiSecret).update(`${header}.${body}`).digest('base64url'));

  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown> & { video: Record<string, unknown> };
  assert.equal(claims.sub, 'user-7');
  assert.equal(claims.iss, 'APIkey123');
  const v = claims.video;
  assert.equal(v.room, 'room-7');
  assert.equal(v.roomJoin, true);
  assert.equal(v.canPublish, true);
  assert.equal(v.canSubscribe, true);
  assert.equal(v.canPublishData, false);
  for (const admin of ['roomAdmin', 'roomCreate', 'roomList', 'roomRecord', 'ingressAdmin', 'hidden', 'recorder', 'agent']) {
    assert.ok(v[admin] === undefined || v[admin] === false, `${admin}: ${String(v[admin])}`);
  }
  assert.ok(v.canUpdateOwnMetadata === undefined || v.canUpdateOwnMetadata === false);

  assert.equal(typeof claims.exp, 'number');
  const exp = claims.exp as number;
  const start = (claims.nbf ?? claims.iat) as number;
  assert.equal(typeof start, 'number');
  assert.ok(exp > start && exp - start <= 600, `lifetime ${exp - start} s`);
  assert.ok(TOKEN_TTL_S <= 600);
  // It expires within its TTL of now (not, say, in milliseconds by mistake).
  const nowS = Date.now() / 1000;
  assert.ok(exp > nowS && exp <= nowS + 600 + 5, `exp ${exp}, now ${nowS}`);
});

test('candidateAddresses: only local and remote candidate addresses, sorted and unique', () => {
  const stats = {
    publisherStats: [
      { stats: { case: 'localCandidate', value: { candidate: { address: '198.18.0.1', port: 50000, protocol: 'udp', relatedAddress: '' } } } },
      { stats: { case: 'remoteCandidate', value: { candidate: { address: '127.0.0.1', port: 7882 } } } },
      { stats: { case: 'inboundRtp', value: { address: 'not-a-candidate' } } },
      { stats: { case: 'transport', value: { transport: { address: '10.9.9.9' } } } },
    ],
    subscriberStats: [
      { stats: { case: 'localCandidate', value: { candidate: { address: '198.18.0.1', relatedAddress: '198.18.0.9' } } } },
      { stats: { case: 'remoteCandidate', value: { candidate: { address: '198.18.0.2' } } } },
    ],
  };
  assert.deepEqual(candidateAddresses(stats), ['127.0.0.1', '198.18.0.1', '198.18.0.2', '198.18.0.9']);
  assert.deepEqual(candidateAddresses({ publisherStats: [], subscriberStats: [] }), []);
  assert.deepEqual(candidateAddresses(null), []);
  assert.deepEqual(candidateAddresses({ publisherStats: [{ stats: { case: 'inboundRtp', value: { address: '1.2.3.4' } } }] }), []);
});

function runInput(mode: RunInput['network']['mode'], allowedAddrs: string[], perSession: string[][]): RunInput {
  const sessions = perSession.map((candidateAddrs, index) => ({ index, candidateAddrs }) as Partial<SessionRecord>);
  return { network: { mode, namespace: mode === 'netns' ? 'vl-ns' : null, allowedAddrs }, sessions } as unknown as RunInput;
}

test('isLoopback: 127.0.0.0/8 and ::1 only', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['128.0.0.1', '10.0.0.1', '198.18.0.1', '::2', '127.0.0.1.evil', 'fe80::1']) assert.equal(isLoopback(a), false, a);
});

test('networkViolation: netns mode names foreign addresses; loopback and allowed pass; external is not judged', () => {
  const allowed = ['198.18.0.1', '198.18.0.2'];
  assert.equal(
    networkViolation(runInput('netns', allowed, [['127.0.0.1', '198.18.0.1'], ['192.168.1.20', '198.18.0.2', '8.8.8.8']])),
    'media used addresses outside loopback and the private namespace: 192.168.1.20, 8.8.8.8',
  );
  assert.equal(networkViolation(runInput('netns', allowed, [['127.0.0.1', '198.18.0.1'], ['::1', '198.18.0.2']])), null);
  assert.equal(networkViolation(runInput('netns', allowed, [[], []])), null);
  assert.equal(networkViolation(runInput('host', [], [['127.0.0.1'], ['10.1.1.1']])), 'media used addresses outside loopback and the private namespace: 10.1.1.1');
  assert.equal(networkViolation(runInput('external', [], [['203.0.113.5', '8.8.8.8']])), null);
});
