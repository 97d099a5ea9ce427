/**
 * Getting results for the gate: running the scenario as a child (`cli.js scenario NAME … --out
 * DIR`, the same path as `npm run scenario`, so the network-namespace re-run works unchanged) or
 * reading the results.json of finished runs (through report/read-run.ts, the one reader).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { EXIT, UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';
import type { GateRun } from '../gate/evaluate.js';
import { readResultOrNull } from '../report/read-run.js';

const CLI = paths.cli;

/** Reads the results.json of finished runs (`--results DIR…`); a folder without one is bad input. */
export async function readFinishedRuns(dirs: string[], flag: string): Promise<GateRun[]> {
  const runs: GateRun[] = [];
  for (const [i, dir] of dirs.entries()) {
    const result = await readResultOrNull(dir);
    if (result === null) throw new UsageError(`${flag} ${dir}: no results.json there; name the report folder of a finished run`);
    runs.push({ label: `run ${i + 1}`, dir: path.resolve(dir), result, exitCode: null });
  }
  return runs;
}

/**
 * Runs `cli.js scenario …args --out DIR` (args start with the scenario's name) and resolves with its exit code. Its output goes to
 * this process's stderr, so stdout keeps only the gate's table. Ctrl-C reaches the child through
 * the process group and it writes a partial report; SIGTERM is passed on.
 */
export function runScenario(args: string[], outDir: string): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'scenario', ...args, '--out', outDir], { stdio: ['ignore', 2, 2] });
  const ignore = () => undefined;
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    const done = (code: number) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.on('error', (err) => {
      process.stderr.write(`voiceload: could not start the scenario: ${err.message}\n`);
      done(EXIT.harnessError);
    });
    child.on('exit', (code, signal) => done(code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.harnessError)));
  });
}

/**
 * Runs the scenario (`args` start with its name) `count` times, each into OUT/run-K, stopping at the first run that is not
 * valid (more runs would not make it trustworthy). Bad input from the child (exit 2) is passed up.
 */
export async function runScenarioTimes(args: string[], out: string, count: number, say: (line: string) => void): Promise<GateRun[]> {
  const runs: GateRun[] = [];
  for (let k = 1; k <= count; k++) {
    const dir = path.join(out, `run-${k}`);
    say(`run ${k} of ${count}: ${args.join(' ')} → ${dir}`);
    const exitCode = await runScenario(args, dir);
    if (exitCode === EXIT.badInput) throw new UsageError(`the scenario refused its input (exit 2, see above)`);
    const result = await readResultOrNull(dir).catch(() => null);
    runs.push({ label: `run ${k}`, dir, result, exitCode });
    if (exitCode !== EXIT.ok) break;
  }
  return runs;
}
