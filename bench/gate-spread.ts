/**
 * Benchmark for the gate: how much per-session CPU moves from run to run, and so how small a
 * regression the gate can call. Runs the small scenario N times (default 3) through the real CLI,
 * prints each run's per-session CPU (agents, measured), the coefficient of variation over the valid
 * runs, and the smallest relative regression the gate's interval can call at that spread with 3
 * baseline runs against 3 (and against 1) current runs. Numbers only; it asserts nothing.
 * Run it on a quiet machine. Usage: npm run bench:gate [-- RUNS [DURATION [TOLERANCE]]]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { meanSd, smallestCallable } from '../harness/gate/compare.js';
import { DEFAULT_CONFIDENCE, DEFAULT_TOLERANCE, parseShare } from '../harness/gate/config.js';
import { fmtShare } from '../harness/gate/format.js';
import type { RunResult } from '../harness/results/types.js';
import { benchArgs, count, durationArg } from './args.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
const { runs, duration, tolerance } = benchArgs('bench:gate', 'npm run bench:gate [-- RUNS (2 to 20, default 3) [DURATION (default 30s) [TOLERANCE (default 10%)]]]', () => ({
  runs: count(process.argv[2] ?? '3', 'runs', 2, 20),
  duration: durationArg(process.argv[3] ?? '30s', 'the run duration'),
  tolerance: process.argv[4] ? parseShare(process.argv[4], 'tolerance') : DEFAULT_TOLERANCE,
}));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-gate-'));

interface Row { run: number; valid: boolean; reasons: string[]; cpu: number | null; window: string }

function runOnce(k: number): Row {
  const out = path.join(tmp, `run-${k}`);
  process.stderr.write(`bench:gate: run ${k} of ${runs}, voice-2 for ${duration}…\n`);
  const run = spawnSync(process.execPath, [CLI, 'scenario', 'voice-2', '--duration', duration, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0 && run.status !== 3) throw new Error(`run ${k} exited ${run.status}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  return { run: k, valid: r.valid, reasons: r.invalidReasons, cpu: r.perSession.cpuCores, window: r.window.basis };
}

const rows = Array.from({ length: runs }, (_, i) => runOnce(i + 1));
const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
const good = rows.filter((r) => r.valid && r.cpu !== null).map((r) => r.cpu as number);
const lines = [
  `Measured on ${host}: voice-2 (2 sessions), ${duration} per run; per-session CPU is the agents' mean CPU over the`,
  'window after every session joined plus warm-up, divided by the sessions active (results.json perSession.cpuCores).',
  '',
  '| run | valid | per-session CPU (cores) |',
  '|---:|---|---:|',
  ...rows.map((r) => `| ${r.run} | ${r.valid ? 'yes' : `no: ${r.reasons.join('; ')}`} | ${r.cpu === null ? 'n/a' : r.cpu.toFixed(4)} |`),
  '',
];
const stats = good.length >= 2 ? meanSd(good) : null;
if (stats === null || stats.sd === null) {
  lines.push(`Only ${good.length} valid run(s): no spread to report. Run it again on a quiet machine.`);
} else {
  const cv = stats.sd / stats.mean;
  const call = (m: number, n: number, tol: number) => fmtShare(smallestCallable(cv, m, n, tol, DEFAULT_CONFIDENCE) ?? NaN);
  lines.push(
    `Over ${good.length} valid runs: mean ${stats.mean.toFixed(4)} cores, sd ${stats.sd.toFixed(4)}, coefficient of variation ${fmtShare(cv)} (measured).`,
    '',
    `Smallest relative regression the gate calls at this spread (derived: tolerance + t·cv·√(1/m + 1/n), ${fmtShare(DEFAULT_CONFIDENCE)} Student-t interval;`,
    'a true change of this size is called about half the time, larger ones more often):',
    '',
    '| baseline runs | current runs | tolerance 0 | tolerance ' + fmtShare(tolerance) + ' |',
    '|---:|---:|---:|---:|',
    `| 3 | 3 | ${call(3, 3, 0)} | ${call(3, 3, tolerance)} |`,
    `| 3 | 1 | ${call(3, 1, 0)} | ${call(3, 1, tolerance)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(path.join(tmp, 'bench-gate.json'), JSON.stringify({ host, duration, tolerance, rows }, null, 2));
process.stderr.write(`bench:gate: raw results in ${tmp}\n`);
