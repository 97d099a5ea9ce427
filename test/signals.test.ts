/**
 * Signals outside a measured run: Ctrl-C during start-up stops the run (exit 105) instead of being
 * swallowed, and the tree kill behind the second Ctrl-C leaves no process. No livekit-server is
 * started (the external check waits on a loopback port that never answers).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
