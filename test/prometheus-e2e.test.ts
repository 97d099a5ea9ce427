/**
 * The Prometheus sampler against the /proc sampler on the same processes at the same time: a real
 * Prometheus scraping a real process-exporter every second (both on loopback, started and stopped
 * here), watching a process tree with a steady CPU load and a fixed amount of touched memory, and then
 * a real voice-2 run's Python LiveKit worker (the run, Prometheus and the exporter together in a
 * private namespace of the test's). Means over the same span must agree within 5 %.
 * Measures CPU: run it under the machine-wide lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { paths } from '../harness/common/paths.js';
import type { RunResult } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';
import { ProcfsSampler } from '../harness/sampling/process-tree.js';
import { PrometheusRoleSampler, promInstant, withRemoteRole, describeSource } from '../harness/sampling/prometheus.js';
import { provisionServer } from '../harness/server/provision.js';
import { provisionPythonAgents } from '../harness/runtimes/python/provision.js';
import type { CliRun } from './support/cli.js';
import { runInNetns } from './support/netns.js';
import { startPromStack } from './support/prometheus.js';
import { testDir } from './support/tmp.js';

const MARKER = `vl-prom-load-${process.pid}`;
// A parent and a child, each busy 6 ms of every 20 ms on an absolute clock, each holding 80 MB touched.
const LOAD = `
const { spawn } = require('node:child_process');
const buf = Buffer.alloc(80 * 1024 * 1024, 1);
if (process.argv[1] === 'parent') spawn(process.execPath, ['-e', process.env.VL_LOAD, '--', 'child', process.argv[2]], { stdio: 'ignore' });
const t0 = performance.now();
let k = 0;
setInterval(() => {
  const due = t0 + k * 20;
  while (performance.now() < due + 6) buf[k % buf.length] ^= 1;
  k = Math.floor((performance.now() - t0) / 20) + 1;
}, 1);
`;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the Prometheus sampler agrees with /proc within 5 % on the same processes', { timeout: 120_000 }, async () => {
  // Its own process group, so the parent and its child end together.
  const load = spawn(process.execPath, ['-e', LOAD, '--', 'parent', MARKER], { stdio: 'ignore', detached: true, env: { ...process.env, VL_LOAD: LOAD } });
  const stack = await startPromStack(MARKER, 'agents');
  try {
    const source = { url: stack.url, kind: 'process-exporter' as const, match: 'agents', scrapeIntervalS: 1 };
    const remote = new PrometheusRoleSampler(source);
    // Until Prometheus holds both processes and a full rate() window of them.
    for (let i = 0; i < 40 && (await promInstant(source, 'sum(namedprocess_namegroup_num_procs{groupname="agents"})')) < 2; i++) await sleep(500);
    await sleep(7000);
    const local = new ProcfsSampler();
    const sampler = withRemoteRole(local, 'agents', remote);
    await local.sample('window', [load.pid!]);
    const fromProc: { cpu: number[]; pss: number[]; rss: number[] } = { cpu: [], pss: [], rss: [] };
    const fromProm: typeof fromProc = { cpu: [], pss: [], rss: [] };
    const perSecondProc: number[] = [];
    for (let s = 0; s < 15; s++) {
      await sleep(1000);
      const p = await local.sample('window', [load.pid!]);
      perSecondProc.push(p.cpuCores);
      const q = (await sampler.sampleAll({ agents: { pids: [load.pid!], descendants: true } })).agents!;
      assert.equal(q.processes, 2);
      // Prometheus' rate() covers the last 5 s: compare it with /proc over the same 5 s.
      if (perSecondProc.length >= 5) {
        fromProc.cpu.push(mean(perSecondProc.slice(-5)));
        fromProm.cpu.push(q.cpuCores);
      }
      fromProc.pss.push(p.pssBytes!);
      fromProc.rss.push(p.rssBytes);
      fromProm.pss.push(q.pssBytes!);
      fromProm.rss.push(q.rssBytes);
    }
    const off = (k: 'cpu' | 'pss' | 'rss') => Math.abs(mean(fromProm[k]) - mean(fromProc[k])) / mean(fromProc[k]);
    const figures = (['cpu', 'pss', 'rss'] as const).map((k) => `${k}: proc ${mean(fromProc[k]).toFixed(4)} prom ${mean(fromProm[k]).toFixed(4)} (${(off(k) * 100).toFixed(2)} %)`).join('; ');
    process.stderr.write(`prometheus vs /proc: ${figures}\n`);
    assert.ok(mean(fromProc.cpu) > 0.3, `the load should keep at least 0.3 cores busy: ${figures}`);
    for (const k of ['cpu', 'pss', 'rss'] as const) assert.ok(off(k) < 0.05, `${k} differs by more than 5 %: ${figures}`);
    assert.match(describeSource(source), /Prometheus at http:\/\/127\.0\.0\.1:\d+ \(process-exporter group agents, scrape interval 1 s\)/);
  } finally {
    process.kill(-load.pid!, 'SIGKILL');
    await stack.stop();
  }
});

const PROM_RUN = fileURLToPath(new URL('./support/prom-run.js', import.meta.url));

/** Pids whose command line holds `marker` (the exporter's own rule), the test's own processes left out. */
function pidsMatching(marker: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(marker)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

test('on a real run: a Python LiveKit worker read through Prometheus agrees with /proc within 5 %', { skip: process.getuid?.() !== 0 ? 'the run partitions the host as root' : false, timeout: 300_000 }, async () => {
  // Every process of the Python reference worker (main, forkserver, job and inference processes) has
  // the agent's folder on its command line; the exporter groups by it, and so does the /proc side here.
  const marker = path.join(paths.root, 'agents-py');
  // Made out here, where PyPI and the Go proxy are reachable: the namespace below has no route out.
  await provisionServer(() => undefined);
  await provisionPythonAgents((line) => process.stderr.write(`${line}\n`));
  const out = path.join(testDir('vl-prom-run-'), 'report');
  const local = new ProcfsSampler();
  const fromProc: Array<{ t: number; cpu: number; pss: number | null; rss: number }> = [];
  let running = true;
  const watch = (async () => {
    while (running) {
      await sleep(1000);
      const pids = pidsMatching(marker);
      if (pids.length === 0) continue;
      const s = (await local.sampleAll({ w: { pids, descendants: false } })).w!;
      fromProc.push({ t: Date.now(), cpu: s.cpuCores, pss: s.pssBytes, rss: s.rssBytes });
    }
  })();
  try {
    // Prometheus, the exporter and the run share one private namespace of the test's: the harness
    // reaches Prometheus on that namespace's loopback, and media stays on its veth pair.
    // The exporter's marker goes in the environment: on a command line it would put that process tree in the group.
    const cli = await runInNetns<CliRun>(PROM_RUN, ['agents', 'scenario', 'voice-2', '--runtime', 'python', '--duration', '60s', '--out', out, '--scrape-interval', '1s'], { VL_PROM_MARKER: marker });
    assert.ok(cli.code === 0 || cli.code === 3, `exit ${cli.code}\n${cli.stderr}`);
    assert.deepEqual(pidsMatching(marker), [], 'a process of the worker outlived the run');
    const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    assert.equal(r.network.mode, 'netns');
    assert.deepEqual(r.invalidReasons.filter((why) => /addresses outside/.test(why)), [], 'media left the namespace');
    const window = r.window;

    const samples = readFileSync(path.join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample)
      .filter((s) => s.elapsedMs / 1000 >= window.fromS && s.elapsedMs / 1000 <= window.toS);
    assert.ok(samples.length >= 10, `${samples.length} samples in the window`);
    // Prometheus' rate() covers the 5 s before each sample: compare /proc over the same 5 s.
    const pairs = samples.flatMap((s) => {
      const near = fromProc.filter((p) => p.t > s.t - 5000 && p.t <= s.t);
      const a = s.roles.agents;
      return near.length >= 4 && a.pssBytes !== null ? [{ prom: a, proc: { cpu: mean(near.map((p) => p.cpu)), rss: near[near.length - 1]!.rss, pss: near[near.length - 1]!.pss } }] : [];
    });
    assert.ok(pairs.length >= 10, `${pairs.length} seconds with both readings`);
    const m = {
      cpu: [mean(pairs.map((p) => p.proc.cpu)), mean(pairs.map((p) => p.prom.cpuCores))],
      rss: [mean(pairs.map((p) => p.proc.rss)), mean(pairs.map((p) => p.prom.rssBytes))],
      pss: [mean(pairs.map((p) => p.proc.pss ?? NaN)), mean(pairs.map((p) => p.prom.pssBytes!))],
    };
    const off = (k: keyof typeof m) => Math.abs(m[k][1]! - m[k][0]!) / m[k][0]!;
    const figures = (Object.keys(m) as Array<keyof typeof m>).map((k) => `${k}: proc ${m[k][0]!.toPrecision(4)} prom ${m[k][1]!.toPrecision(4)} (${(off(k) * 100).toFixed(2)} %)`).join('; ');
    process.stderr.write(`real worker, prometheus vs /proc over ${pairs.length} s: ${figures}\n`);
    assert.ok(m.cpu[0]! > 0.05, `the worker should be busy with two sessions: ${figures}`);
    for (const k of Object.keys(m) as Array<keyof typeof m>) assert.ok(off(k) < 0.05, `${k} differs by more than 5 %: ${figures}`);
    assert.match(r.perSession.basis, /the agents' CPU and memory read from Prometheus at http:\/\/127\.0\.0\.1:\d+ \(process-exporter group agents, scrape interval 1 s\), not \/proc/);
  } finally {
    running = false;
    await watch;
  }
});
