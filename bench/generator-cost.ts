/**
 * Benchmark: what the load generator costs with the agent's audio received as 10 ms frames (the
 * default) beside 100 ms blocks (a candidate), from one invocation on one host. Each design runs
 * the real harness (voice-2, resized, one generator process for all users) at each user count; the
 * generator's fixed and per-user cost is the least-squares line through (users, generator CPU).
 * Also per run: publish lateness p99, the agents' tone gaps, the load side's share of the host.
 * Reports numbers and asserts nothing. Usage: npm run bench:generator [-- 1,10,20 [45s]]
 * (run it under the machine-wide lock; with bare agents, 20 sessions need a host that can carry them)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../harness/results/types.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const counts = (process.argv[2] ?? '1,10,20').split(',').map(Number);
const duration = process.argv[3] ?? '45s';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-gen-'));
const DESIGNS = { 'frames 10 ms': '10', 'blocks 100 ms': '100' } as const;

interface Row { design: string; users: number; joined: number; genCpu: number | null; publishP99: number | null; gaps: number; loadShare: number | null; loadCores: number | null }

function runOnce(design: keyof typeof DESIGNS, n: number): Row {
  const out = path.join(tmp, `${design.replace(/\W+/g, '-')}-${n}`);
  const args = [CLI, 'scenario', 'voice-2', '--sessions', String(n), '--ramp-step', String(n), '--duration', duration, '--warmup', '10s', '--users-per-generator', '50', '--out', out];
  process.stderr.write(`bench: ${design} design, ${n} users for ${duration}…\n`);
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VOICELOAD_RECEIVE_BLOCK_MS: DESIGNS[design] } });
  if (run.status !== 0 && run.status !== 3) throw new Error(`run with ${n} users exited ${run.status}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  const roles = r.roles;
  const load = roles ? roles.generator.cpuCores.mean + roles.server.cpuCores.mean + roles.harness.cpuCores.mean : null;
  const system = r.system?.cpuCores.mean ?? null;
  return {
    design, users: n, joined: r.sessions.joined, genCpu: roles?.generator.cpuCores.mean ?? null,
    publishP99: r.qos.publishLateMs.p99, gaps: r.qos.agentAudio.gapsOver100ms,
    loadShare: load !== null && system ? load / system : null, loadCores: load,
  };
}

/** Least-squares intercept and slope of (users, generator CPU). */
function line(rows: Row[]): { fixed: number; perUser: number } | null {
  const pts = rows.filter((r) => r.genCpu !== null).map((r) => [r.joined, r.genCpu as number] as const);
  if (pts.length < 2) return null;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const perUser = pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { fixed: my - perUser * mx, perUser };
}

const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));
const rows: Row[] = [];
// Interleaved, so a slow drift of the host does not favour one design.
for (const n of counts) for (const d of Object.keys(DESIGNS) as (keyof typeof DESIGNS)[]) rows.push(runOnce(d, n));
const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.release()}, node ${process.version}`;
const fits = Object.keys(DESIGNS).map((d) => ({ d, fit: line(rows.filter((r) => r.design === d)) }));
process.stdout.write([
  `Generator cost on ${host}; each run ${duration} (voice-2, bare agents, window after every session joined plus 10 s).`,
  '',
  '| design | users (joined) | generator CPU, cores | per user | publish lateness p99, ms | tone gaps > 100 ms | load side, cores | load side / host CPU |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.design} | ${r.users} (${r.joined}) | ${f(r.genCpu)} | ${r.genCpu !== null && r.joined ? f(r.genCpu / r.joined) : 'n/a'} | ${f(r.publishP99, 1)} | ${r.gaps} | ${f(r.loadCores, 2)} | ${r.loadShare === null ? 'n/a' : `${(100 * r.loadShare).toFixed(0)} %`} |`),
  '',
  '| design | fixed per generator process, cores | per additional user, cores |',
  '|---|---:|---:|',
  ...fits.map(({ d, fit }) => `| ${d} | ${fit ? f(fit.fixed) : 'n/a'} | ${fit ? f(fit.perUser, 4) : 'n/a'} |`),
].join('\n') + '\n');
process.stderr.write(`bench: raw results in ${tmp}\n`);
