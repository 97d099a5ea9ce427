import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/harness/cli/main.js, from dist/test/support/cli.js. */
export const CLI = fileURLToPath(new URL('../../harness/cli/main.js', import.meta.url));

/** How many samples of a run's samples.jsonl (so far) had exactly `sessions` sessions live. */
export function samplesWithSessions(file: string, sessions: number): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8').trim().split('\n').filter((l) => l && (JSON.parse(l) as { activeSessions: number }).activeSessions === sessions).length;
}

/**
 * Polls every 250 ms, for up to `tries` polls, until `file` holds `count` samples with `sessions`
 * live or `proc` exited; fails the test if they never came (so a signal is sent mid-run, not before).
 */
export async function untilLive(proc: ChildProcess, file: string, sessions: number, count: number, tries: number): Promise<void> {
  for (let i = 0; i < tries && samplesWithSessions(file, sessions) < count && proc.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  if (samplesWithSessions(file, sessions) < count) throw new Error(`the run never had ${count} samples with ${sessions} sessions live`);
}

/** The outcome of a CLI run. */
export interface CliRun { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Starts the CLI in its own process group (so a test can send Ctrl-C to the group, as a terminal does). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): { proc: ChildProcess; done: Promise<CliRun> } {
  const proc = spawn(process.execPath, [CLI, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { proc, done };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}

/** Command lines of every live process that looks like part of a voiceload run. */
export function runProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    // A `flock` still waiting for the machine-wide lock is another run's, not a leftover of this one.
    if (cmd.startsWith('flock ')) continue;
    if (/harness\/(agents|users)\/main\.js|harness\/runtimes\/workers\/|job_proc_lazy_main|inference_proc_lazy_main|voiceload-server-|netns-run\.sh|agents-py\/agent\.py|multiprocessing\.(forkserver|resource_tracker)/.test(cmd)) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

/** Network namespaces of ours (scripts/netns-run.sh names them voiceload-*) that still exist. */
export function leftoverNamespaces(): string[] {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('voiceload-'));
}

/** Every file of a report folder, relative paths, subfolders (charts/, k8s/) included. */
export function reportFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

/**
 * The reasons a run may be invalid that are about this small shared host's load, not about what a
 * test checks (the worker drills, the Python runtime): the generator missing real time, a sampling
 * stall, a saturated host. Anchored, so "no samples were taken" or a missing join never match.
 */
export const HOST_LOAD_REASONS = /^(the generator could not keep real time: |sampling stalled: |the host's CPU was saturated: )/;

/**
 * Runs `attempt` and, when its run came out invalid for this host's load alone (every reason matches
 * HOST_LOAD_REASONS), once more, after `note` says why. For tests whose subject needs a valid run
 * (a gate that passes, what the probe heard, a container measured): a busy CI host makes a run
 * invalid, and rightly so, without saying anything of what the test checks. A second invalid run,
 * or any other reason, stands and fails the test. `reasons` gives the run's invalid reasons, or null
 * when there is no results.json to read (never retried).
 */
export async function retryOnHostLoad<T>(attempt: () => Promise<T>, reasons: (ran: T) => string[] | null, note: (msg: string) => void): Promise<T> {
  const first = await attempt();
  const why = reasons(first);
  if (why === null || why.length === 0 || !why.every((w) => HOST_LOAD_REASONS.test(w))) return first;
  note(`run invalid for this host's load alone, running it once more: ${why.join('; ')}`);
  return attempt();
}

/** The invalid reasons in a report folder's results.json, or null when it has none. */
export function invalidReasonsIn(dir: string): string[] | null {
  const file = path.join(dir, 'results.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { invalidReasons: string[] }).invalidReasons : null;
}
