/**
 * Signals outside a measured run: Ctrl-C during start-up stops the run (exit 105) instead of being
 * swallowed, and the tree kill behind the second Ctrl-C leaves no process. No livekit-server is
 * started (the external check waits on a loopback port that never answers).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { killTree } from '../harness/proc/kill.js';
import { descendantsOf, listProcesses } from '../harness/proc/tree.js';
import { startCli } from './support/cli.js';

test('CLI: Ctrl-C during the external server check stops the run at once: exit 105, no folder left', { timeout: 60_000 }, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const root = mkdtempSync(path.join(os.tmpdir(), 'vl-sig-'));
  try {
    const env = { ...process.env, LIVEKIT_URL: `ws://127.0.0.1:${port}`, LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' };
    const run = startCli(['scenario', 'voice-2', '--out', path.join(root, 'a/b')], env);
    // Wait until the check has connected (the harness is then inside its 10 s wait), then Ctrl-C.
    for (let i = 0; i < 100 && sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(sockets.length > 0, 'the harness never contacted the server');
    const sentAt = performance.now();
    process.kill(-run.proc.pid!, 'SIGINT');
    const done = await run.done;
    const tookMs = performance.now() - sentAt;
    assert.equal(done.code, 105, done.stderr);
    assert.match(done.stderr, /interrupted while checking the LiveKit server/);
    assert.ok(tookMs < 5000, `it went on for ${tookMs.toFixed(0)} ms after Ctrl-C (the check alone lasts 10 s)`);
    assert.deepEqual(readdirSync(root), [], 'the report folder it made was left behind');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('killTree: every process below the root is gone, grandchildren included; the root is spared', { timeout: 30_000 }, async () => {
  // sh → (sh → sleep, sleep), sleep: three levels.
  const root = spawn('sh', ['-c', '(sleep 300 & sleep 300 & wait) & sleep 300 & wait'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && descendantsOf(root.pid!, listProcesses()).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(descendantsOf(root.pid!, listProcesses()).length, 4, 'the tree did not start');
    const left = await killTree(root.pid!);
    assert.deepEqual(left, []);
    assert.deepEqual(descendantsOf(root.pid!, listProcesses()), []);
    // The root's own `wait` returns once its children are gone; it was not signalled itself.
    await new Promise((r) => (root.exitCode === null ? root.once('exit', r) : r(null)));
    assert.equal(root.signalCode, null, 'the root itself was killed');
  } finally {
    root.kill('SIGKILL');
  }
});

test('CLI: Ctrl-C during the first-use build stops it: go is killed, exit 105, no folder left', { skip: process.getuid?.() !== 0 ? 'the namespace path needs root' : false, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-sig-build-'));
  try {
    // A stand-in go that "builds" for a minute and says when it started.
    const bin = path.join(dir, 'bin');
    const started = path.join(dir, 'go-started');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'go'), `#!/bin/sh\necho $$ > '${started}'\nexec sleep 60\n`);
    chmodSync(path.join(bin, 'go'), 0o755);
    const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const run = startCli(['scenario', 'voice-2', '--out', path.join(dir, 'out/report')], env);
    for (let i = 0; i < 100 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(started), 'the stand-in go never started');
    const goPid = Number(readFileSync(started, 'utf8'));
    const sentAt = performance.now();
    process.kill(-run.proc.pid!, 'SIGINT');
    const done = await run.done;
    assert.equal(done.code, 105, done.stderr);
    assert.match(done.stderr, /interrupted while livekit-server was built/);
    assert.ok(performance.now() - sentAt < 5000, 'the build went on after Ctrl-C');
    assert.throws(() => process.kill(goPid, 0), 'the stand-in go is still running');
    assert.ok(!existsSync(path.join(dir, 'out')), 'the report folder it made was left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
