/**
 * Benchmark: what one session of the media path costs on this machine. Runs the real harness
 * (voice-2 scenario, resized) at 2, 5 and 10 sessions and reports, from each run's results.json:
 * agent CPU and PSS per session, generator CPU per user, VAD ms per window, sampler cost per sample.
 * It reports numbers and asserts nothing. Usage: npm run bench:media [-- 2,5,10 [duration]]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../harness/results/types.js';
import { benchArgs, countList, durationArg } from './args.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const { counts, duration } = benchArgs('bench:media', 'npm run bench:media [-- 2,5,10 [75s]]', () => ({
  counts: countList(process.argv[2] ?? '2,5,10', 'session counts', 1, 200),
  duration: durationArg(process.argv[3] ?? '75s', 'the run duration'),
}));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-'));

interface Row { sessions: number; joined: number; valid: boolean; agentCpu: number | null; agentPss: number | null; generatorCpuPerUser: number | null; vadP50: number | null; vadP95: number | null; samplerWallMs: number | null; samplerCpuMs: number | null; systemCpuP95: number | null; onsetP95: number | null }

function runOnce(n: number): Row {
  const out = path.join(tmp, `s${n}`);
  const args = [CLI, 'scenario', 'voice-2', '--sessions', String(n), '--ramp-step', String(n), '--duration', duration, '--warmup', '15s', '--users-per-generator', '10', '--out', out];
  process.stderr.write(`bench: ${n} sessions for ${duration}…\n`);
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0 && run.status !== 3) throw new Error(`run with ${n} sessions exited ${run.status}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  const joined = r.sessions.joined;
  return {
    sessions: n,
    joined,
    valid: r.valid,
    agentCpu: r.perSession.cpuCores,
    agentPss: r.perSession.pssBytes,
    generatorCpuPerUser: r.roles && joined ? r.roles.generator.cpuCores.mean / joined : null,
    vadP50: r.qos.vad.inferMs.p50,
    vadP95: r.qos.vad.inferMs.p95,
    samplerWallMs: r.sampler.wallMs?.mean ?? null,
    samplerCpuMs: r.sampler.cpuMs?.mean ?? null,
    systemCpuP95: r.system?.cpuCores.p95 ?? null,
    onsetP95: r.qos.vad.onsetLagMs.p95,
  };
}

const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));
const mb = (x: number | null) => (x === null ? 'n/a' : (x / 1024 ** 2).toFixed(0));
const rows = counts.map(runOnce);
const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
const table = [
  `Measured on ${host}; each run ${duration}, figures over the window after every session joined plus 15 s.`,
  '',
  '| sessions | joined | valid | agent CPU/session (cores) | agent PSS/session (MB) | generator CPU/user (cores) | VAD ms/window p50 / p95 | sampler wall / CPU ms per sample | host CPU p95 (cores) | VAD onset p95 (ms) |',
  '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.sessions} | ${r.joined} | ${r.valid ? 'yes' : 'no'} | ${f(r.agentCpu)} | ${mb(r.agentPss)} | ${f(r.generatorCpuPerUser)} | ${f(r.vadP50, 1)} / ${f(r.vadP95, 1)} | ${f(r.samplerWallMs, 1)} / ${f(r.samplerCpuMs, 1)} | ${f(r.systemCpuP95, 2)} | ${f(r.onsetP95, 0)} |`),
];
process.stdout.write(`${table.join('\n')}\n`);
writeFileSync(path.join(tmp, 'bench.json'), JSON.stringify({ host, duration, rows }, null, 2));
process.stderr.write(`bench: raw results in ${tmp}\n`);
