/**
 * The Prometheus sampler against the /proc sampler on the same processes at the same time: a real
 * Prometheus scraping a real process-exporter every second (both on loopback, started and stopped
 * here), watching a process tree with a steady CPU load and a fixed amount of touched memory.
 * Means over the same span must agree within 5 %. Measures CPU: run it under the machine-wide lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ProcfsSampler } from '../harness/sampling/process-tree.js';
import { PrometheusRoleSampler, promInstant, withRemoteRole, describeSource } from '../harness/sampling/prometheus.js';
import { startPromStack } from './support/prometheus.js';

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
