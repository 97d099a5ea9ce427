/**
 * Benchmark: the load side, from one invocation on one host (issue 12). Runs, one after the other:
 * the sampler's CPU per sample at 10 and 100 processes (bench/sampler-cost.ts: the old designs
 * beside the one in use), the generator's fixed and per-user cost at 1, 10 and 20 users in its
 * chunks (rtc-node's 48 kbps) and celt (64 kbps, the default) designs side by side (bench/generator-cost.ts), and `scenario ramp --ramp-step 1`,
 * from whose steps it prints the load side's share of its own cores and of the host beside the
 * agents'. Prints the three tables; asserts nothing. Run it under the machine-wide lock on a quiet host.
 * Usage: npm run bench [-- USERS [DURATION]]   (defaults 1,10,20 and 45s, the generator's)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean } from '../harness/results/stats.js';
import type { RunResult, StepSummary } from '../harness/results/types.js';
import { benchArgs, countList, durationArg } from './args.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
// Checked here too, so a bad one stops the bench before its first part runs.
const { users, duration } = benchArgs('bench', 'npm run bench [-- 1,10,20 [45s]]', () => ({
  users: countList(process.argv[2] ?? '1,10,20', 'user counts', 1, 100).join(','),
  duration: durationArg(process.argv[3] ?? '45s', 'the run duration'),
}));

/** Runs one node script, its table to our stdout; throws on a failed exit. */
function part(title: string, script: string, args: string[]): void {
  process.stdout.write(`\n## ${title}\n\n`);
  const run = spawnSync(process.execPath, [script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0 && run.status !== 3) throw new Error(`${path.basename(script)} exited ${run.status}`);
}

/** A step's mean; NaN (printed n/a) for an empty series. */
const avg = (xs: readonly number[]) => mean(xs) ?? NaN;
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));

/** One ramp step: the agents' and the load side's mean CPU over its settled part, and the load side's real-time figures. */
function stepRow(s: StepSummary, agentCores: number, loadCores: number): string {
  const load = avg(s.series.generator.cpuCores) + avg(s.series.server.cpuCores) + avg(s.series.harness.cpuCores);
  const host = avg(s.systemCpuCores);
  const agents = avg(s.series.agents.cpuCores);
  return `| ${s.sessions} | ${f(agents)} (${f((100 * agents) / agentCores, 0)} %) | ${f(load)} (${f((100 * load) / loadCores, 0)} %) | ${f(avg(s.series.generator.cpuCores))} | ${f(host)} | ${f((100 * load) / host, 0)} % | ${ms(s.qos.publishLateMsP99)} | ${ms(s.qos.generatorLoopDelayMsP99)} |`;
}

/** The ramp's load side per step, from its results.json. */
function rampTable(r: RunResult): string[] {
  const p = r.confinement?.partition ?? null;
  const hostCores = r.host.cores;
  const loadCores = p?.loadCores ?? hostCores;
  const agentCores = p ? r.confinement!.cpuCores : hostCores;
  return [
    p ? `Host partitioned: agents on CPU ${p.agentCpus}, load side (harness, server, generators, sampler) on CPU ${p.loadCpus}.` : 'Host not partitioned: both sides share every core.',
    `Means over each step's settled part, cores (share of that side's own cores); the run ${r.valid ? 'is valid' : `is invalid: ${r.invalidReasons.join('; ')}`}.`,
    '',
    '| sessions | agents | load side | of which generator | host | load side / host CPU | publish lateness p99, ms | generator loop p99, ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.steps.map((s) => stepRow(s, agentCores, loadCores)),
  ];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-load-'));
process.stdout.write(`# The load side on ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.release()}, node ${process.version}, ${new Date().toISOString()}\n`);
part('Sampler: CPU per sample', here('./sampler-cost.js'), ['10,100', '30']);
part('Generator: fixed and per-user cost, chunks vs celt', here('./generator-cost.js'), [users, duration, 'chunks,celt']);
process.stdout.write('\n## The load side during `scenario ramp --ramp-step 1`\n\n');
const out = path.join(tmp, 'ramp');
process.stderr.write('bench: scenario ramp --ramp-step 1 (stops at the knee)…\n');
const ramp = spawnSync(process.execPath, [here('../harness/cli/main.js'), 'scenario', 'ramp', '--ramp-step', '1', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
if (ramp.status !== 0 && ramp.status !== 3) throw new Error(`the ramp exited ${ramp.status}`);
process.stdout.write(`${rampTable(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult).join('\n')}\n`);
process.stderr.write(`bench: the ramp's report is in ${out}\n`);
