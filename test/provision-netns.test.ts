/**
 * First use on a fresh machine: the server is built with Go, which needs the package registries,
 * so it must be built before the run moves into its private namespace (which has no route out).
 * A stand-in `go` records the network namespace it was started in and fails, so nothing is built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InterruptedError } from '../harness/common/errors.js';
import { provisionServer } from '../harness/server/provision.js';
import { runCli } from './support/cli.js';

test('scenario on first use builds the server in the caller\'s network namespace, not in the private one', { skip: process.getuid?.() !== 0 ? 'the private namespace needs root' : false }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vl-first-use-'));
  try {
    const bin = path.join(dir, 'bin');
    const seen = path.join(dir, 'go-netns');
    const go = path.join(bin, 'go');
    mkdirSync(bin, { recursive: true });
    writeFileSync(go, `#!/bin/sh\nreadlink /proc/self/ns/net > '${seen}'\necho 'stand-in go: no build here' >&2\nexit 1\n`);
    chmodSync(go, 0o755);
    const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const run = await runCli(['scenario', 'voice-2', '--out', path.join(dir, 'report')], env);
    assert.ok(existsSync(seen), `the stand-in go was never run: ${run.stderr}`);
    assert.equal(readFileSync(seen, 'utf8').trim(), readlinkSync('/proc/self/ns/net'), 'go ran inside another network namespace');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /go install/);
    assert.ok(!existsSync(path.join(dir, 'report')), 'no report folder is left behind when nothing ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


test('Ctrl-C kills go before our handler runs: the build is reported interrupted, not failed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vl-first-use-int-'));
  try {
    const bin = path.join(dir, 'bin');
    const started = path.join(dir, 'go-started');
    mkdirSync(bin, { recursive: true });
    // go dies of SIGINT at once, as it does when Ctrl-C reaches the whole process group.
    writeFileSync(path.join(bin, 'go'), `#!/bin/sh\ntouch '${started}'\nkill -INT $$\nsleep 5\n`);
    chmodSync(path.join(bin, 'go'), 0o755);
    const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const ac = new AbortController();
    const built = provisionServer(() => undefined, env, ac.signal);
    const outcome = built.then(() => 'built', (e: Error) => e);
    for (let i = 0; i < 100 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(started), 'the stand-in go never started');
    // Our own SIGINT is handled only after go's exit was seen.
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    const e = await outcome;
    assert.ok(e instanceof InterruptedError, `reported as ${String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
