/**
 * An external server (LIVEKIT_URL): a real livekit-server started by the test, used as if it were
 * someone else's. Checks the good path, the three ways the connection fails, and that the API
 * secret never leaves the harness: not in any child's environment, not in the report, not in logs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNetns } from './support/netns.js';

interface Outcome { code: number | null; stderr: string }
interface Drill {
  good: Outcome & { mode: string; joined: number; reportFiles: string[]; secretInReport: string[]; secretInStderr: boolean };
  childrenSeen: number;
  secretInEnv: string[];
  wrong: Outcome;
  closed: Outcome;
  hang: Outcome;
}

const drill = runInNetns<Drill>(fileURLToPath(new URL('./support/external-drill.js', import.meta.url)));

test('a run against an external server works and keeps its secret', { timeout: 180_000 }, async () => {
  const d = await drill;
  assert.equal(d.good.code, 0, d.good.stderr);
  assert.equal(d.good.mode, 'external');
  assert.equal(d.good.joined, 2);
  assert.ok(d.childrenSeen >= 3, `saw ${d.childrenSeen} agent/generator processes`);
  assert.deepEqual(d.secretInEnv, []);
  assert.deepEqual(d.good.secretInReport, []);
  assert.equal(d.good.secretInStderr, false);
  assert.ok(d.good.reportFiles.includes('results.json'));
});

test('refused credentials: one clear line, exit 1', { timeout: 180_000 }, async () => {
  const { wrong } = await drill;
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^voiceload: .*refused the credentials.*LIVEKIT_API_SECRET/m);
});

test('a closed port: one clear line, exit 1', { timeout: 180_000 }, async () => {
  const { closed } = await drill;
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /could not be reached/);
});

test('a server that never answers: given up after 10 s, exit 1', { timeout: 180_000 }, async () => {
  const { hang } = await drill;
  assert.equal(hang.code, 1);
  assert.match(hang.stderr, /did not answer within 10 s/);
});
