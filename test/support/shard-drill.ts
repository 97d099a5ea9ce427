/**
 * Runs inside the server's private namespace (see netns.ts): a real livekit-server, then the same
 * scenario twice against it as an external server — split over 2 shards, each a process in a
 * network namespace of its own ("hosts" on one LAN, see shard-netns.ts), started at one instant; and
 * as one shard on one host. Merges each and prints both merged results, and each shard's rooms,
 * start and counter marks (from its shard.json), as JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShardFile } from '../../harness/results/shard.js';
import { startLocalServer } from '../../harness/server/local.js';
import { provisionServer } from '../../harness/server/provision.js';
import { CLI, runCli, type CliRun } from './cli.js';
import { createLan, createShardHost, inShardHost, removeShardHost, SERVER_ADDR, type ShardHost } from './shard-netns.js';

const SHARDS = 2;
const ARGS = ['scenario', 'voice-2', '--duration', '20s'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-shard-'));
createLan();
const hosts: ShardHost[] = Array.from({ length: SHARDS + 1 }, (_, k) => createShardHost(k));
const server = await startLocalServer({
  binary: await provisionServer(() => undefined), logFile: path.join(tmp, 'server.log'),
  mediaAddrs: [SERVER_ADDR], signalAddrs: [SERVER_ADDR],
});
const port = new URL(server.url).port;

/** One shard process on host `h`, the CLI as a user would run it there. */
function runShard(h: ShardHost, shard: string, out: string, startAt: number): Promise<CliRun> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LIVEKIT_URL: `ws://${SERVER_ADDR}:${port}`, LIVEKIT_API_KEY: server.apiKey, LIVEKIT_API_SECRET: server.apiSecret };
  const [cmd, ...args] = inShardHost(h, [process.execPath, CLI, ...ARGS, '--shard', shard, '--start-at', String(startAt), '--out', out]);
  const proc = spawn(cmd!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const json = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
const shardFile = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'shard.json'), 'utf8')) as ShardFile;
/** A shard's counter marks on wall time: when each was taken, and each local session's audio counters. */
const marksOf = (f: ShardFile) => f.input.marks.map((m) => ({
  t: f.input.startedAt + m.elapsedMs,
  sessions: Object.values(m.sessions).map((x) => ({ framesExpected: x.framesExpected, framesReceived: x.framesReceived })),
}));
const brief = (r: CliRun) => ({ code: r.code, stderr: r.stderr.trim().split('\n').slice(-6).join('\n') });
try {
  const startAt = Date.now() + 8000;
  const dirs = hosts.slice(0, SHARDS).map((_, k) => path.join(tmp, `shard-${k}`));
  const shardRuns = await Promise.all(dirs.map((d, k) => runShard(hosts[k]!, `${k}/${SHARDS}`, d, startAt)));
  const merged = await runCli(['merge', ...dirs, '--out', path.join(tmp, 'merged')]);
  const oneDir = path.join(tmp, 'one');
  const oneRun = await runShard(hosts[SHARDS]!, '0/1', oneDir, Date.now() + 1000);
  const one = await runCli(['merge', oneDir, '--out', path.join(tmp, 'one-merged')]);
  const files = dirs.map(shardFile);
  process.stdout.write(JSON.stringify({
    shardRuns: shardRuns.map(brief), merge: brief(merged), oneRun: brief(oneRun), oneMerge: brief(one),
    merged: json(path.join(tmp, 'merged')), one: json(path.join(tmp, 'one-merged')),
    rooms: files.map((f) => f.input.sessions.map((s) => s.room)),
    startedAt: files.map((f) => f.input.startedAt), startAt,
    marks: files.map(marksOf),
  }));
} finally {
  await server.stop();
  hosts.forEach(removeShardHost);
  rmSync(tmp, { recursive: true, force: true });
}
