/**
 * Runs inside a private namespace (see netns.ts): starts a real livekit-server whose secret this
 * script knows, then drives the CLI against it as an *external* server — a good run, wrong
 * credentials, a closed port, a port that never answers — and checks where the secret went.
 * Prints its findings as JSON for external.test.ts to assert on.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startLocalServer } from '../../harness/server/local.js';
import { provisionServer } from '../../harness/server/provision.js';
import { freeTcpPort } from '../../harness/server/ports.js';
import { reportFiles as reportFilesIn, runCli, runProcesses, startCli } from './cli.js';
import { testDir } from './tmp.js';

const tmp = testDir('vl-ext-');
const addrs = (process.env.VOICELOAD_NETNS_ADDRS ?? '').split(',').filter(Boolean);
const server = await startLocalServer({ binary: await provisionServer(() => undefined), logFile: path.join(tmp, 'server.log'), mediaAddrs: addrs });
const base = { PATH: process.env.PATH, HOME: process.env.HOME, VOICELOAD_NETNS: process.env.VOICELOAD_NETNS, VOICELOAD_NETNS_ADDRS: process.env.VOICELOAD_NETNS_ADDRS };
const ext = (secret: string, url = server.url) => ({ ...base, LIVEKIT_URL: url, LIVEKIT_API_KEY: server.apiKey, LIVEKIT_API_SECRET: secret });

/** Secret in the environment of any agent or generator process, checked while the run is live. */
function secretInChildren(secret: string): string[] {
  const hits: string[] = [];
  for (const line of runProcesses()) {
    const pid = line.split(':')[0]!;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(secret)) hits.push(line);
    } catch { /* gone */ }
  }
  return hits;
}

const out = path.join(tmp, 'report');
const good = startCli(['scenario', 'voice-2', '--duration', '16s', '--out', out], ext(server.apiSecret));
let childrenSeen = 0;
let secretInEnv: string[] = [];
for (let i = 0; i < 40 && good.proc.exitCode === null; i++) {
  await new Promise((r) => setTimeout(r, 500));
  const procs = runProcesses();
  if (procs.length > childrenSeen) {
    childrenSeen = procs.length;
    secretInEnv = secretInChildren(server.apiSecret);
  }
}
const goodRun = await good.done;
// Every file of the report, sizing outputs in subfolders (charts/, k8s/) included.
const reportFiles = reportFilesIn(out);
const secretInReport = reportFiles.filter((f) => readFileSync(path.join(out, f), 'utf8').includes(server.apiSecret));
const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { server: { mode: string }; sessions: { joined: number } };

const wrong = await runCli(['scenario', 'voice-2', '--out', path.join(tmp, 'wrong')], ext('not-the-secret-' + 'x'.repeat(20)));
const closedPort = await freeTcpPort();
const closed = await runCli(['scenario', 'voice-2', '--out', path.join(tmp, 'closed')], ext(server.apiSecret, `ws://127.0.0.1:${closedPort}`));
// A server that accepts connections and never answers.
const silent = net.createServer(() => undefined);
await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
const silentPort = (silent.address() as net.AddressInfo).port;
const hang = await runCli(['scenario', 'voice-2', '--out', path.join(tmp, 'silent')], ext(server.apiSecret, `ws://127.0.0.1:${silentPort}`));
silent.close();
await server.stop();

const brief = (r: { code: number | null; stderr: string }) => ({ code: r.code, stderr: r.stderr.trim() });
process.stdout.write(JSON.stringify({
  good: { ...brief(goodRun), mode: results.server.mode, joined: results.sessions.joined, reportFiles, secretInReport, secretInStderr: goodRun.stderr.includes(server.apiSecret) },
  childrenSeen,
  secretInEnv,
  wrong: brief(wrong),
  closed: brief(closed),
  hang: brief(hang),
}));
