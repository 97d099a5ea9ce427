/**
 * End to end, for real: voice-2 with --human-probe against a local livekit-server in a private
 * network namespace. Headless Chromium (Debian's, through playwright-core) joins the human room
 * with the speech fixture as its microphone; the test asserts what it heard (the agent's sine,
 * little concealment), that the agent's VAD found its speech, where its traffic went, and that
 * no browser process outlives the run, Ctrl-C included. Bounds are explained beside each one.
 * Needs /usr/bin/chromium (apt-get install chromium) or VOICELOAD_CHROMIUM.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { HumanLine } from '../harness/human/types.js';
import { isLoopback } from '../harness/results/network-check.js';
import type { RunResult } from '../harness/results/types.js';
import { invalidReasonsIn, leftoverNamespaces, reportFiles, retryOnHostLoad, runProcesses, startCli, type CliRun } from './support/cli.js';
import { testDir } from './support/tmp.js';

/** Process groups of every browser the probe started, seen while the run was live (marked by its environment). */
function probeGroups(): Set<number> {
  const groups = new Set<number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (!readFileSync(`/proc/${d}/environ`, 'utf8').includes('VOICELOAD_PROBE=')) continue;
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      groups.add(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]));
    } catch { /* gone */ }
  }
  return groups;
}

/** Live processes in any of the given process groups. */
function inGroups(groups: Set<number>): string[] {
  const left: string[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (groups.has(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))) left.push(`${d} ${stat.slice(0, 60)}`);
    } catch { /* gone */ }
  }
  return left;
}

/** Runs the CLI, noting the probe's process groups every 250 ms; `interruptWhen` sends Ctrl-C to the group once it holds. */
async function watchRun(args: string[], interruptWhen?: () => boolean): Promise<{ run: CliRun; groups: Set<number> }> {
  const cli = startCli(args);
  const groups = new Set<number>();
  let sent = false;
  while (cli.proc.exitCode === null && cli.proc.signalCode === null) {
    for (const g of probeGroups()) groups.add(g);
    if (interruptWhen && !sent && interruptWhen()) {
      process.kill(-cli.proc.pid!, 'SIGINT');
      sent = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { run: await cli.done, groups };
}

const out = path.join(testDir('vl-human-'), 'report');
let run: CliRun;
let groups: Set<number>;
const result = (): RunResult => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
const human = () => {
  const h = result().human;
  assert.ok(h, 'results.json has no human block');
  return h;
};

test('voice-2 with --human-probe runs end to end', { timeout: 480_000 }, async (t) => {
  const chromium = process.env.VOICELOAD_CHROMIUM ?? '/usr/bin/chromium';
  assert.ok(existsSync(chromium), `this test needs Chromium at ${chromium}: apt-get install chromium`);
  groups = new Set();
  const probeRun = async () => {
    rmSync(out, { recursive: true, force: true });
    const watched = await watchRun(['scenario', 'voice-2', '--human-probe', '--duration', '40s', '--out', out]);
    for (const g of watched.groups) groups.add(g); // every attempt's browsers must be gone at the end
    return watched.run;
  };
  run = await retryOnHostLoad(probeRun, () => invalidReasonsIn(out), (m) => t.diagnostic(m));
  // voice-2 with its probe must be valid: no reason at all, the probe's or the load's (a run invalid for the host's
  // load alone was run once more above; a second such run fails here).
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
  const r = result();
  assert.deepEqual(r.invalidReasons, []);
  assert.equal(r.sessions.joined, 2);
  assert.ok(groups.size >= 1, 'no browser process was ever seen');
  assert.deepEqual(readdirSync(out).sort(), ['charts', 'human.jsonl', 'k8s', 'report.html', 'results.json', 'samples.jsonl', 'server.log', 'sizing.md', 'summary.md']);
});

test("the probe heard the agent's sine: energy near the tone's level, little concealment", () => {
  const { heard } = human();
  // A clean tone reads at its peak level (libwebrtc squares peaks): -10.5 dBFS for the 0.3 sine; measured
  // -10.4 dBFS here. 3 dB below it is half the tone's energy: silence or concealment for half the time would
  // fail, and so would a wrong level (no audio at all has no level).
  assert.ok(heard.levelDbfs !== null && heard.levelDbfs >= heard.sentLevelDbfs - 3, `level ${heard.levelDbfs} dBFS, tone ${heard.sentLevelDbfs}`);
  // Measured 0.09 % (one concealment event in 34 s) on this host under other load. 1 % is ten times that and
  // still means 99 % of what the person heard was the agent's real audio, not the decoder's guesses.
  assert.ok(heard.concealedPct !== null && heard.concealedPct < 1, `concealed ${heard.concealedPct} %`);
  // Invariant, not a bound: 30 s of 48 kHz audio at least reached the page.
  assert.ok(heard.samplesReceived >= 30 * 48_000, `${heard.samplesReceived} samples`);
});

test("the agent's VAD found the probe's speech, and told the page", () => {
  const { vad } = human();
  // About 30 s of the probe speaking is judged: ~10 onsets of the 15.5 s fixture (measured 11).
  assert.ok(vad.segmentsExpected >= 4, `expected ${vad.segmentsExpected}`);
  // The same rule as the synthetic users' end-to-end test: at least 90 % found...
  assert.ok(vad.segmentsDetected >= 0.9 * vad.segmentsExpected, `${vad.segmentsDetected}/${vad.segmentsExpected}`);
  // ...and the typical onset within the 300 ms quality limit (p95 was 184 ms on a quiet host). Not p95: of ~10 onsets
  // it is the slowest one, a speed figure of the host (CI once saw 339 ms with Chromium, the server, the
  // agent and the test runner on 2 cores), which the run judges and reports; a test asserts behaviour.
  assert.ok(vad.onsetLagMs.p50 !== null && vad.onsetLagMs.p50 < 300, `onset lag p50 ${vad.onsetLagMs.p50}, p95 ${vad.onsetLagMs.p95}`);
  assert.ok(vad.alignment?.usable, 'capture timestamps were not on the page clock');
  // Data messages are reliable: every start the agent decided reached the page, but one decided as it closed.
  assert.ok(vad.dataStarts >= vad.agentStarts - 1, `${vad.dataStarts} data starts, ${vad.agentStarts} agent starts`);
});

test("the page's requests and ICE candidates stayed on loopback and the namespace", () => {
  const h = human();
  const r = result();
  const ok = (a: string) => isLoopback(a) || r.network.allowedAddrs.includes(a);
  assert.ok(h.network.requestHosts.length > 0, 'no request was seen');
  for (const host of h.network.requestHosts) assert.ok(ok(host), `request to ${host}`);
  assert.ok(h.network.candidateAddresses.length > 0, 'no candidate was seen');
  for (const a of h.network.candidateAddresses) assert.ok(ok(a), `candidate ${a}`);
  assert.deepEqual(h.network.foreign, []);
});

test('human.jsonl has a line a second with the browser sampled, and no token anywhere in the report', () => {
  const lines = readFileSync(path.join(out, 'human.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HumanLine);
  assert.ok(lines.length >= 20, `${lines.length} lines`);
  for (const l of lines.slice(2)) assert.ok((l.browser?.processes ?? 0) >= 1 && (l.browser?.rssBytes ?? 0) > 0, `no browser sample at ${l.elapsedS} s`);
  for (const l of lines) assert.ok(l.concealedSamples <= l.samplesReceived);
  assert.match(readFileSync(path.join(out, 'summary.md'), 'utf8'), /## What a person hears \(measured\)/);
  for (const f of reportFiles(out)) {
    assert.doesNotMatch(readFileSync(path.join(out, f), 'utf8'), /eyJ[\w-]+\.eyJ/, `a JWT in ${f}`);
  }
});

test('no browser, agent or namespace is left after the run', () => {
  assert.deepEqual(inGroups(groups), []);
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
});

test('Ctrl-C while the probe listens: partial report with the human block, no browser left', { timeout: 180_000 }, async () => {
  const dir = path.join(testDir('vl-human-int-'), 'report');
  const jsonl = path.join(dir, 'human.jsonl');
  const heard = () => existsSync(jsonl) && readFileSync(jsonl, 'utf8').trim().split('\n').filter(Boolean).length >= 5;
  const { run: r, groups: g } = await watchRun(['scenario', 'voice-2', '--human-probe', '--duration', '120s', '--out', dir], heard);
  assert.equal(r.code, 105, r.stderr);
  assert.ok(g.size >= 1, 'no browser process was ever seen');
  const res = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  assert.equal(res.interrupted, true);
  assert.ok((res.human?.seconds ?? 0) >= 5, `human block: ${JSON.stringify(res.human?.seconds)}`);
  assert.deepEqual(inGroups(g), []);
  assert.deepEqual(runProcesses(), []);
  assert.deepEqual(leftoverNamespaces(), []);
});
