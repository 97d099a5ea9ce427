/**
 * Benchmark: what @livekit/agents costs beside the bare rtc-node agent, on this machine. For each
 * session count it runs the same workload twice (voice-2 resized): `--runtime bare` (one agent
 * process per session) and `--runtime framework` (one @livekit/agents worker, load function jobs:1000
 * so it never refuses), then the rollout drill once. From each run's results.json it reports:
 * per-session CPU and PSS of the bare agent, per-job CPU and PSS of the framework's job processes,
 * their difference (the framework's overhead per session), the worker's fixed cost (its own process,
 * its inference process, idle warm processes) and the measured drain time.
 *
 * Run it on a quiet machine: every figure is measured, and a busy host makes them meaningless.
 * It reports numbers and asserts nothing. Usage: npm run bench:workers [-- 2,4 [duration]]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../harness/results/types.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const counts = (process.argv[2] ?? '2,4').split(',').map(Number);
const duration = process.argv[3] ?? '60s';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-workers-'));

function run(label: string, scenario: string, args: string[]): RunResult {
  const out = path.join(tmp, label);
  process.stderr.write(`bench: ${label}…\n`);
  const r = spawnSync(process.execPath, [CLI, 'scenario', scenario, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 3) throw new Error(`${label} exited ${r.status}`);
  return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
}

interface Row {
  sessions: number;
  valid: { bare: boolean; framework: boolean };
  bare: { cpu: number | null; pss: number | null };
  job: { cpu: number | null; pss: number | null };
  overhead: { cpu: number | null; pss: number | null };
  fixed: { cpu: number | null; pss: number | null; mainPss: number | null; inferencePss: number | null; idlePss: number | null; idleProcesses: number | null };
  onsetP95: { bare: number | null; framework: number | null };
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function compare(n: number): Row {
  const common = ['--sessions', String(n), '--ramp-step', String(n), '--duration', duration, '--warmup', '15s', '--users-per-generator', '10'];
  const bare = run(`bare-${n}`, 'voice-2', common);
  const fw = run(`framework-${n}`, 'voice-2', [...common, '--runtime', 'framework', '--workers', '1', '--load-func', 'jobs:1000', '--load-threshold', '1']);
  const w = fw.workers;
  const p = w?.perWorker[0]?.fixed;
  return {
    sessions: n,
    valid: { bare: bare.valid, framework: fw.valid },
    bare: { cpu: bare.perSession.cpuCores, pss: bare.perSession.pssBytes },
    job: { cpu: w?.perJob.cpuCores ?? null, pss: w?.perJob.pssBytes ?? null },
    overhead: { cpu: diff(w?.perJob.cpuCores ?? null, bare.perSession.cpuCores), pss: diff(w?.perJob.pssBytes ?? null, bare.perSession.pssBytes) },
    fixed: { cpu: w?.fixedPerWorker.cpuCores ?? null, pss: w?.fixedPerWorker.pssBytes ?? null, mainPss: p?.mainPss ?? null, inferencePss: p?.inferencePss ?? null, idlePss: p?.idlePss ?? null, idleProcesses: p?.idleProcesses ?? null },
    onsetP95: { bare: bare.qos.vad.onsetLagMs.p95, framework: fw.qos.vad.onsetLagMs.p95 },
  };
}

const f = (x: number | null | undefined, d = 3) => (x == null ? 'n/a' : x.toFixed(d));
const mb = (x: number | null | undefined) => (x == null ? 'n/a' : (x / 1024 ** 2).toFixed(0));
const rows = counts.map(compare);
const rollout = run('rollout', 'rollout', []);
const d = rollout.workers?.drain ?? null;
const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
const lines = [
  `Measured on ${host}; each run ${duration}, figures over the window after every session joined plus 15 s.`,
  'Overhead = framework job process minus bare agent process, per session (both measured, the difference computed).',
  '',
  '| sessions | valid (bare / fw) | bare CPU / PSS per session | framework job CPU / PSS | overhead CPU / PSS | worker fixed CPU / PSS | fixed PSS: worker / inference / idle (n) | VAD onset p95 bare / fw (ms) |',
  '|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    `| ${r.sessions} | ${r.valid.bare ? 'yes' : 'no'} / ${r.valid.framework ? 'yes' : 'no'} | ${f(r.bare.cpu)} / ${mb(r.bare.pss)} MB | ${f(r.job.cpu)} / ${mb(r.job.pss)} MB | ${f(r.overhead.cpu)} / ${mb(r.overhead.pss)} MB | ` +
    `${f(r.fixed.cpu)} / ${mb(r.fixed.pss)} MB | ${mb(r.fixed.mainPss)} / ${mb(r.fixed.inferencePss)} / ${mb(r.fixed.idlePss)} (${f(r.fixed.idleProcesses, 1)}) MB | ${f(r.onsetP95.bare, 0)} / ${f(r.onsetP95.framework, 0)} |`),
  '',
  d
    ? `Rollout drill: SIGINT with ${d.sessionsRunning} session(s) running; ${d.completed} completed, ${d.cut} cut; drain ${f(d.drainS, 1)} s (last session ended ${f(d.lastSessionEndS, 1)} s after SIGINT, overhead ${f(d.overheadS, 1)} s).`
    : 'Rollout drill: no result.',
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(path.join(tmp, 'bench.json'), JSON.stringify({ host, duration, rows, drain: d }, null, 2));
process.stderr.write(`bench: raw results in ${tmp}\n`);
