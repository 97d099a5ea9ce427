/**
 * Benchmark: what LiveKit's agent frameworks cost beside the bare rtc-node agent, on this machine,
 * side by side from one invocation. For each session count it runs the same workload three times
 * (voice-2 resized): `--runtime bare` (one agent process per session), `--runtime framework` (one
 * @livekit/agents worker) and `--runtime python` (one LiveKit Agents for Python worker), the
 * workers with load function jobs:1000 so they never refuse; with `rollout` also the rollout drill.
 * From each run's results.json: per-session CPU and PSS (bare agent process, or a running job's
 * process tree), the difference from bare (the framework's overhead per session), the worker's
 * fixed cost (its own process, inference process, idle warm processes), and the drain time.
 *
 * Run it on a quiet machine: every figure is measured, and a busy host makes them meaningless.
 * It reports numbers and asserts nothing. Usage: npm run bench:workers [-- 2,4 [duration [rollout]]]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../harness/results/types.js';
import { UsageError } from '../harness/common/errors.js';
import { benchArgs, countList, durationArg } from './args.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const { counts, duration, withRollout } = benchArgs('bench:workers', 'npm run bench:workers [-- 2,4 [60s [rollout]]]', () => {
  if (process.argv[4] !== undefined && process.argv[4] !== 'rollout') throw new UsageError(`the third argument '${process.argv[4]}' must be 'rollout' or left out`);
  return {
    counts: countList(process.argv[2] ?? '2,4', 'session counts', 1, 200),
    duration: durationArg(process.argv[3] ?? '60s', 'the run duration'),
    withRollout: process.argv[4] === 'rollout',
  };
});
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-workers-'));

function run(label: string, scenario: string, args: string[]): RunResult {
  const out = path.join(tmp, label);
  process.stderr.write(`bench: ${label}…\n`);
  const r = spawnSync(process.execPath, [CLI, 'scenario', scenario, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 3) throw new Error(`${label} exited ${r.status}`);
  return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
}

type Runtime = 'bare' | 'framework' | 'python';
const RUNTIMES: readonly Runtime[] = ['bare', 'framework', 'python'];

interface Row {
  sessions: number;
  runtime: Runtime;
  valid: boolean;
  /** bare: each agent process; framework/python: each running job's process tree. */
  perSession: { cpu: number | null; pss: number | null };
  overhead: { cpu: number | null; pss: number | null };
  fixed: { cpu: number | null; pss: number | null; mainPss: number | null; inferencePss: number | null; idlePss: number | null; idleProcesses: number | null } | null;
  onsetP95: number | null;
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** The same workload on each runtime, one after the other: bare agents, one Node worker, one Python worker. */
function compare(n: number): Row[] {
  const common = ['--sessions', String(n), '--ramp-step', String(n), '--duration', duration, '--warmup', '15s', '--users-per-generator', '10'];
  const rows: Row[] = [];
  for (const rt of RUNTIMES) {
    const worker = rt === 'bare' ? [] : ['--runtime', rt, '--workers', '1', '--load-func', 'jobs:1000', '--load-threshold', '1'];
    const r = run(`${rt}-${n}`, 'voice-2', [...common, ...worker]);
    const w = r.workers;
    const p = w?.perWorker[0]?.fixed;
    const per = w ? { cpu: w.perJob.cpuCores, pss: w.perJob.pssBytes } : { cpu: r.perSession.cpuCores, pss: r.perSession.pssBytes };
    const bare = rows[0]?.perSession ?? per;
    rows.push({
      sessions: n, runtime: rt, valid: r.valid, perSession: per,
      overhead: { cpu: diff(per.cpu, bare.cpu), pss: diff(per.pss, bare.pss) },
      fixed: w ? { cpu: w.fixedPerWorker.cpuCores, pss: w.fixedPerWorker.pssBytes, mainPss: p?.mainPss ?? null, inferencePss: p?.inferencePss ?? null, idlePss: p?.idlePss ?? null, idleProcesses: p?.idleProcesses ?? null } : null,
      onsetP95: r.qos.vad.onsetLagMs.p95,
    });
  }
  return rows;
}

const f = (x: number | null | undefined, d = 3) => (x == null ? 'n/a' : x.toFixed(d));
const mb = (x: number | null | undefined) => (x == null ? 'n/a' : (x / 1024 ** 2).toFixed(0));
const rows = counts.flatMap(compare);
const rollout = withRollout ? run('rollout', 'rollout', []) : null;
const d = rollout?.workers?.drain ?? null;
const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
const lines = [
  `Measured on ${host}; each run ${duration}, figures over the window after every session joined plus 15 s.`,
  'Per session: bare = one agent process; framework (@livekit/agents 1.9, Node) and python (livekit-agents 1.8.9) = a running job\'s process tree.',
  'Overhead = that minus the bare agent of the same session count (both measured, the difference computed). Fixed = one worker with no job of its own.',
  '',
  '| sessions | runtime | valid | CPU / PSS per session | overhead vs bare CPU / PSS | worker fixed CPU / PSS | fixed PSS: worker / inference / idle (n) | VAD onset p95 (ms) |',
  '|---:|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    `| ${r.sessions} | ${r.runtime} | ${r.valid ? 'yes' : 'no'} | ${f(r.perSession.cpu)} / ${mb(r.perSession.pss)} MB | ${r.runtime === 'bare' ? '—' : `${f(r.overhead.cpu)} / ${mb(r.overhead.pss)} MB`} | ` +
    (r.fixed ? `${f(r.fixed.cpu)} / ${mb(r.fixed.pss)} MB | ${mb(r.fixed.mainPss)} / ${mb(r.fixed.inferencePss)} / ${mb(r.fixed.idlePss)} (${f(r.fixed.idleProcesses, 1)}) MB` : '— | —') +
    ` | ${f(r.onsetP95, 0)} |`),
  ...(withRollout ? ['', d
    ? `Rollout drill: SIGINT with ${d.sessionsRunning} session(s) running; ${d.completed} completed, ${d.cut} cut; drain ${f(d.drainS, 1)} s (last session ended ${f(d.lastSessionEndS, 1)} s after SIGINT, overhead ${f(d.overheadS, 1)} s).`
    : 'Rollout drill: no result.'] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(path.join(tmp, 'bench.json'), JSON.stringify({ host, duration, rows, drain: d }, null, 2));
process.stderr.write(`bench: raw results in ${tmp}\n`);
