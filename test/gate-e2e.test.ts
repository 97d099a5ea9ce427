/**
 * End to end, for real: the gate runs the small scenario against a local livekit-server (each run
 * in its own private network namespace, as `scenario` does) and judges it. Three gates: one that
 * passes, one that fails on a deliberately strict threshold (exit 99, and JUnit names it), one whose
 * run is made invalid by killing the server mid-run (exit 3). Asserts behaviour, never speed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../harness/results/types.js';
import { invalidReasonsIn, leftoverNamespaces, retryOnHostLoad, runCli, runProcesses, startCli, untilLive } from './support/cli.js';
import { testDir } from './support/tmp.js';

const tmp = testDir('vl-gate-e2e-');
const at = (...p: string[]) => path.join(tmp, ...p);
const file = (name: string, value: unknown) => {
  writeFileSync(at(name), JSON.stringify(value));
  return at(name);
};
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');

/** Parent pid of a process, from /proc; null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    // The command may hold spaces and parentheses: the fields after the last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Pids of live processes under `root` whose command line matches `pattern`. */
function descendantsMatching(root: number, pattern: RegExp): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const pid = Number(entry);
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!pattern.test(cmd)) continue;
    for (let p: number | null = parentOf(pid); p !== null && p > 1; p = parentOf(p)) {
      if (p === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

const passGate = file('pass.json', {
  thresholds: ['valid == true', 'sessions.joined == 2', 'perSession.cpuCores > 0'],
});

test('a gate that passes: voice-2 meets loose thresholds, exit 0', { timeout: 480_000 }, async (t) => {
  const gatePass = () => {
    rmSync(at('pass'), { recursive: true, force: true });
    return runCli(['gate', 'voice-2', '--gate', passGate, '--out', at('pass')]);
  };
  const run = await retryOnHostLoad(gatePass, () => invalidReasonsIn(at('pass', 'run-1')), (m) => t.diagnostic(m));
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  assert.deepEqual(readdirSync(at('pass')).sort(), ['gate.json', 'gate.md', 'junit.xml', 'run-1']);
  const r = JSON.parse(read('pass', 'run-1', 'results.json')) as RunResult;
  assert.equal(r.valid, true, r.invalidReasons.join('; '));
  assert.equal(r.network.mode, 'netns');
  const xml = read('pass', 'junit.xml');
  assert.match(xml, /<testsuites name="voiceload gate: voice-2" tests="\d+" failures="0" errors="0" skipped="0">/);
  // The gate file's thresholds and the scenario file's (scenarios/voice-2.ts), each a testcase.
  for (const t of ['valid == true', 'sessions.joined == 2', 'perSession.cpuCores &gt; 0', 'qos.agentAudio.toneOk == true', 'qos.vad.segmentsDetected &gt; 0']) {
    assert.ok(xml.includes(`name="${t}"`), `no testcase ${t}`);
  }
  assert.match(run.stdout, /^voiceload gate: voice-2, 1 run: PASS \(exit 0\)\n/);
  assert.match(read('pass', 'gate.md'), /^## voiceload gate: ✅ pass/);
});

test('a baseline saved from that run, and the run compared with itself, passes', async () => {
  const save = await runCli(['baseline', 'save', '--from', at('pass', 'run-1'), '--out', at('baseline.json')]);
  assert.equal(save.code, 0, save.stderr);
  const again = await runCli(['gate', '--results', at('pass', 'run-1'), '--baseline', at('baseline.json'), '--gate', passGate, '--out', at('self')]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const report = JSON.parse(read('self', 'gate.json')) as { comparisons: { metric: string; change: number; verdict: string }[] };
  assert.deepEqual(report.comparisons.map((c) => c.metric), ['perSession.cpuCores', 'perSession.pssBytes', 'qos.vad.onsetLagMs.p95']);
  for (const c of report.comparisons) assert.deepEqual([c.metric, c.change, c.verdict], [c.metric, 0, 'no significant change']);
});

test('a gate that fails: a deliberately strict threshold, exit 99, JUnit names it', { timeout: 240_000 }, async () => {
  const strict = file('strict.json', { thresholds: ['valid == true', 'perSession.cpuCores < 0.000001'] });
  const run = await runCli(['gate', 'voice-2', '--gate', strict, '--baseline', at('baseline.json'), '--out', at('strict')]);
  assert.equal(run.code, 99, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  const xml = read('strict', 'junit.xml');
  assert.match(xml, /<testcase classname="voiceload\.thresholds" name="perSession\.cpuCores &lt; 0\.000001">\n\s*<failure message="perSession\.cpuCores = [\d.e-]+ cores, not &lt; 0\.000001"/);
  assert.match(xml, /<testcase classname="voiceload\.thresholds" name="valid == true">\n\s*<system-out>/);
  assert.match(xml, /<testcase classname="voiceload\.baseline" name="perSession\.cpuCores">/);
  assert.match(run.stdout, /FAIL {2}perSession\.cpuCores < 0\.000001/);
});

test('a gate whose run is invalid: the server is killed mid-run, exit 3', { timeout: 240_000 }, async () => {
  const gate = startCli(['gate', 'voice-2', '--gate', passGate, '--duration', '60s', '--out', at('invalid')]);
  const samples = at('invalid', 'run-1', 'samples.jsonl');
  await untilLive(gate.proc, samples, 2, 3, 480);
  // Only the server this gate started: a descendant of the gate process.
  const servers = descendantsMatching(gate.proc.pid!, /voiceload-server-/);
  assert.equal(servers.length, 1, `servers under the gate: ${servers.join(', ')}`);
  process.kill(servers[0]!, 'SIGKILL');
  const done = await gate.done;
  assert.equal(done.code, 3, `exit ${done.code}\n${done.stdout}\n${done.stderr}`);
  const r = JSON.parse(read('invalid', 'run-1', 'results.json')) as RunResult;
  assert.equal(r.valid, false);
  assert.ok(r.invalidReasons.some((why) => /livekit-server died/.test(why)), r.invalidReasons.join('; '));
  const xml = read('invalid', 'junit.xml');
  assert.match(xml, /<testcase classname="voiceload\.runs" name="run 1 valid">\n\s*<failure message="run 1 invalid" type="failure">[^<]*livekit-server died/);
  assert.match(xml, /<testcase classname="voiceload\.thresholds" name="valid == true">\n\s*<skipped message="not judged: run 1: invalid/);
  assert.match(done.stdout, /: INVALID \(exit 3\)/);
});

/** The checkout these tests run from: processes of other checkouts on a shared machine are not ours. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function ours(line: string): boolean {
  const pid = line.split(':')[0]!;
  if (line.includes(ROOT)) return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(ROOT.replace(/\/$/, ''));
  } catch {
    return false;
  }
}

test('no process of the gates is left behind', () => {
  assert.deepEqual(runProcesses().filter(ours), []);
  // A namespace whose netns-run.sh (voiceload-<pid>-…) is gone was leaked.
  const orphaned = leftoverNamespaces().filter((ns) => !existsSync(`/proc/${ns.split('-')[1]}`));
  assert.deepEqual(orphaned, []);
});
