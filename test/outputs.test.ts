/**
 * Output paths are checked before any work and cleaned up exactly: unwritable paths are one line and
 * exit 2 up front; the harness removes the folders it made and never the user's; writes are atomic
 * and leave no temporary file; one output that cannot be written does not stop the others.
 * No livekit-server is started here (the runs that get far enough point at a loopback port).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../harness/common/errors.js';
import { checkOutFile, prepareOutDir, removeCreated } from '../harness/cli/out-dir.js';
import { writeRendered } from '../harness/report/render.js';
import { writeAtomic } from '../harness/report/write.js';
import { runCli } from './support/cli.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'vl-out-'));
const FIXTURE = new URL('../../test/fixtures/report-run/', import.meta.url);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const EXTERNAL = (port: number) => ({ ...process.env, LIVEKIT_URL: `ws://127.0.0.1:${port}`, LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' });

test('prepareOutDir: an unwritable --out is bad input, and nothing is made', async () => {
  await assert.rejects(prepareOutDir('/proc/1/nope', 'voice-2'), (e: Error) => e instanceof UsageError && /^--out \/proc\/1\/nope: cannot write there/.test(e.message));
  assert.equal(existsSync('/proc/1/nope'), false);
});

test('prepareOutDir/removeCreated: a nested new folder is made and removed whole; an existing empty one is kept', async () => {
  const root = tmp();
  try {
    const out = await prepareOutDir(path.join(root, 'a/b/c'), 'voice-2');
    assert.deepEqual(out.created, ['a', 'a/b', 'a/b/c'].map((p) => path.join(root, p)));
    assert.deepEqual(readdirSync(path.join(root, 'a/b/c')), [], 'the write probe was left behind');
    await removeCreated(out);
    assert.deepEqual(readdirSync(root), [], 'a/b was left behind');
    mkdirSync(path.join(root, 'mine'));
    const mine = await prepareOutDir(path.join(root, 'mine'), 'voice-2');
    assert.deepEqual(mine.created, []);
    await removeCreated(mine);
    assert.ok(existsSync(path.join(root, 'mine')), "the user's own folder was removed");
    // A partial report inside a folder the harness made is kept, with its folders.
    const kept = await prepareOutDir(path.join(root, 'x/y'), 'voice-2');
    writeFileSync(path.join(root, 'x/y/samples.jsonl'), '');
    await removeCreated(kept);
    assert.ok(existsSync(path.join(root, 'x/y/samples.jsonl')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('checkOutFile: a file in an unwritable place, or a folder, is bad input naming the flag', async () => {
  const root = tmp();
  try {
    await assert.rejects(checkOutFile('/proc/1/junit.xml', '--junit'), /^UsageError: --junit \/proc\/1\/junit\.xml: cannot write in \/proc\/1/);
    await assert.rejects(checkOutFile(root, '--markdown'), /--markdown .*: is a folder; name a file/);
    await checkOutFile(path.join(root, 'new/sub/gate.md'), '--markdown');
    assert.deepEqual(readdirSync(root), [], 'the check made something');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('writeAtomic leaves no temporary file when it fails; writeRendered writes the other files', async () => {
  const root = tmp();
  try {
    // results.json is a non-empty folder here, so the final rename fails after the temp file was written.
    mkdirSync(path.join(root, 'results.json/x'), { recursive: true });
    await assert.rejects(writeAtomic(path.join(root, 'results.json'), '{}'));
    assert.deepEqual(readdirSync(root), ['results.json'], 'a temporary file was left behind');
    const files = new Map([['results.json', '{}'], ['summary.md', '# s'], ['k8s/hpa.yaml', 'a: 1']]);
    const { written, problems } = await writeRendered(root, { files, problems: [] });
    assert.deepEqual(written, [path.join(root, 'summary.md'), path.join(root, 'k8s/hpa.yaml')]);
    assert.deepEqual(problems.map((p) => [p.output, p.status]), [['results.json', 'failed']]);
    assert.ok(!readdirSync(root, { recursive: true }).some((f) => String(f).endsWith('.tmp')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('CLI: scenario --out /proc/1/nope is exit 2 at once, one line naming --out', { timeout: 30_000 }, async () => {
  const r = await runCli(['scenario', 'voice-2', '--out', '/proc/1/nope']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^voiceload: --out \/proc\/1\/nope: cannot write there \(.*\); choose a folder you can write\n$/);
});

test('CLI: gate and baseline check --junit, --markdown and --out before any run, and make no folder on bad input', { timeout: 60_000 }, async () => {
  const root = tmp();
  try {
    const g = path.join(root, 'gate');
    for (const [flag, file] of [['--junit', '/proc/1/j.xml'], ['--markdown', '/proc/1/g.md']] as const) {
      const r = await runCli(['gate', 'voice-2', flag, file, '--out', g]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^voiceload: ${flag} ${file}: cannot write in /proc/1`));
    }
    let r = await runCli(['baseline', 'save', 'voice-2', '--out', '/proc/1/b.json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^voiceload: --out \/proc\/1\/b\.json: cannot write in \/proc\/1/);
    r = await runCli(['gate', 'voice-2', '--speech', path.join(root, 'none.wav'), '--out', g]);
    assert.equal(r.code, 2, r.stderr);
    r = await runCli(['gate', 'voice-2', '--out', g], { ...process.env, LIVEKIT_URL: 'ws://host:99999', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' });
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(readdirSync(root), [], 'a gate folder was made for bad input');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('CLI: report into a read-only run folder is exit 2 up front', { timeout: 30_000 }, async (t) => {
  const root = tmp();
  const dir = path.join(root, 'run');
  cpSync(FIXTURE, dir, { recursive: true });
  try {
    execFileSync('mount', ['--bind', dir, dir]);
  } catch {
    t.skip('bind mounts need root');
    rmSync(root, { recursive: true, force: true });
    return;
  }
  try {
    execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
    const r = await runCli(['report', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^voiceload: report .*: cannot write there \(EROFS/);
  } finally {
    execFileSync('umount', [dir]);
    rmSync(root, { recursive: true, force: true });
  }
});

test('CLI: a server that refuses leaves the user\'s empty --out in place and removes a nested new one whole', { timeout: 60_000 }, async () => {
  const root = tmp();
  try {
    const port = await closedPort();
    mkdirSync(path.join(root, 'mine'));
    let r = await runCli(['scenario', 'voice-2', '--out', path.join(root, 'mine')], EXTERNAL(port));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /could not be reached: connection refused \(ECONNREFUSED\)/);
    assert.ok(existsSync(path.join(root, 'mine')), "the user's empty folder was deleted");
    r = await runCli(['scenario', 'voice-2', '--out', path.join(root, 'a/b/c')], EXTERNAL(port));
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(readdirSync(root), ['mine'], 'folders the harness made were left behind');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
