/**
 * Benchmark: what one sample costs the harness, at 10 and 100 sampled processes, for four designs
 * of the sampler side by side from one run: *old* (PSS from smaps_rollup and every process's stat
 * every sample, memory from si.mem()); *5 s* (PSS every 5 s per process and no other trigger,
 * stat of non-members every 10 s, memory from /proc/meminfo: the design before issue 12 part 3);
 * *30 s* (as *5 s* but PSS every 30 s, or sooner when the process's RSS or the number of processes
 * sampled moved by more than 10 %, estimated from RSS between); *new* (the same every 60 s: the
 * default). RSS comes from statm in all four (stat and statm read through descriptors kept open
 * since part 3, in all four). The processes are idle node
 * processes (what agents and generators are made of); samples are 1 s apart in the sampler's
 * clock so the PSS cadence plays out as in a run. Reports numbers and asserts nothing.
 * Usage: npm run bench:sampler [-- 10,100 [samples]]   (run it under the machine-wide lock)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { ProcfsSampler, type ProcfsSamplerOptions } from '../harness/sampling/process-tree.js';
import { SystemSampler } from '../harness/sampling/system.js';
import { benchArgs, count, countList } from './args.js';

const { counts, samples } = benchArgs('bench:sampler', 'npm run bench:sampler [-- 10,100 [30]]', () => ({
  counts: countList(process.argv[2] ?? '10,100', 'process counts', 1, 2000),
  samples: count(process.argv[3] ?? '30', 'samples', 2, 3600),
}));

function startIdle(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
}

const DESIGNS = {
  old: { pssEveryMs: 0, fullListingEveryMs: 0 },
  '5 s': { pssEveryMs: 5000, pssRssChange: Infinity, pssPopulationChange: Infinity },
  '30 s': { pssEveryMs: 30_000 },
  new: {},
} satisfies Record<string, ProcfsSamplerOptions>;
type Design = keyof typeof DESIGNS;

/** Harness CPU per sample, ms: four role groups (the idle processes as agents) plus the system reading. */
async function costPerSample(pids: number[], design: Design): Promise<{ cpuMs: number; wallMs: number }> {
  let t = 0;
  const sampler = new ProcfsSampler({ now: () => (t += 1000), ...DESIGNS[design] });
  const system = new SystemSampler(design === 'old' ? { meminfoPath: '/nonexistent' } : {});
  const groups = {
    agents: { pids, descendants: true }, generator: { pids: [], descendants: true },
    server: { pids: [], descendants: true }, harness: { pids: [process.pid], descendants: false },
  };
  await Promise.all([sampler.sampleAll(groups), system.sample()]);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < samples; i++) await Promise.all([sampler.sampleAll(groups), system.sample()]);
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / samples, wallMs: (performance.now() - wall0) / samples };
}

const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.release()}, node ${process.version}`;
const rows: string[] = [];
for (const n of counts) {
  const kids = startIdle(n);
  await new Promise((r) => setTimeout(r, 1500 + 60 * n)); // let them start and settle
  const pids = kids.map((k) => k.pid).filter((p): p is number => p !== undefined);
  const cost: { cpuMs: number; wallMs: number }[] = [];
  for (const design of Object.keys(DESIGNS) as Design[]) cost.push(await costPerSample(pids, design));
  rows.push(`| ${n} | ${cost.map((c) => c.cpuMs.toFixed(2)).join(' | ')} | ${cost.map((c) => c.wallMs.toFixed(2)).join(' | ')} |`);
  for (const k of kids) k.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
}
process.stdout.write([
  `Sampler cost per sample, ${samples} samples each, on ${host}; processes on the machine besides: ~${(await import('node:fs')).readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length}.`,
  '',
  `| sampled processes | ${Object.keys(DESIGNS).map((d) => `CPU ms/sample, ${d}`).join(' | ')} | ${Object.keys(DESIGNS).map((d) => `wall ms/sample, ${d}`).join(' | ')} |`,
  `|---:|${'---:|'.repeat(2 * Object.keys(DESIGNS).length)}`,
  ...rows,
].join('\n') + '\n');
