/**
 * Benchmark: what the load generator costs in today's design beside the one before it (issue 12),
 * from one invocation on one host. *frames*: 20 ms speech frames handed over just in time, the
 * agent's audio received in 10 ms frames; *chunks*: 100 ms speech chunks handed over 20 ms ahead,
 * the agent's audio received in 100 ms blocks (GeneratorDesign in harness/sessions/ipc.ts); *celt* (the default): chunks at 64 kbps, where
 * libopus codes the voice in CELT alone; *probes*: celt, with only sessions 0–3 and every fourth after them subscribed to their agent's audio. Each
 * design runs the real harness (voice-2, resized, one generator process for all users) at each
 * user count; the generator's fixed and per-user cost is the least-squares line through (users,
 * generator CPU). Also per run: the generator's CPU by thread (its JavaScript, the Opus encoders,
 * the playout of received audio, ...) over the middle of the run, publish lateness p99, the
 * agents' tone gaps, the load side's share of the host. Reports numbers and asserts nothing.
 * Each run lasts the given duration plus JOIN_S_PER_USER per user, so that even 20 joins leave a
 * window; a run that still has none is marked and left out of the fit.
 * Usage: npm run bench:generator [-- 1,10,20 [45s [chunks,celt[,frames,probes]]]] (under the machine-wide lock)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_WINDOW } from '../harness/results/aggregate.js';
import type { RunResult } from '../harness/results/types.js';
import type { GeneratorDesign } from '../harness/sessions/ipc.js';
import { parseDuration } from '../harness/scenario/duration.js';
import { benchArgs, countList, designList, durationArg } from './args.js';
import { coresByThread, findBelow, threadSnapshot, type ThreadSnapshot } from './thread-cpu.js';

const CLI = fileURLToPath(new URL('../harness/cli/main.js', import.meta.url));
type Design = GeneratorDesign['name'];
const { counts, duration, DESIGNS } = benchArgs('bench:generator', 'npm run bench:generator [-- 1,10,20 [45s [chunks,celt]]]', () => ({
  counts: countList(process.argv[2] ?? '1,10,20', 'user counts', 1, 100),
  duration: durationArg(process.argv[3] ?? '45s', 'the run duration'),
  DESIGNS: designList(process.argv[4] ?? 'chunks,celt') as Design[],
}));
/**
 * Seconds added to a run per user for the joins: 20 bare agents started on this 2-core host's one
 * agent core took 44-65 s to all join, which left a 45 s run of 20 users no window at all.
 */
const JOIN_S_PER_USER = 4;
const runSeconds = (n: number) => parseDuration(duration, 'the run duration') + JOIN_S_PER_USER * n;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-bench-gen-'));
/** Thread groups shown; the rest is summed as "other". */
const THREADS = ['node main', 'AudioEncoder', 'SyntheticAudioD', 'AudioSourceCapt', 'tokio-rt-worker', 'network_thread', 'worker_thread 0'];

interface Row { design: Design; users: number; joined: number; windowed: boolean; genCpu: number | null; threads: Map<string, number>; publishP99: number | null; gaps: number; framesShare: number | null; loadShare: number | null; loadCores: number | null }

/** Snapshots of the generator's threads 15 s after it started and 10 s before the run ends. */
async function watchThreads(root: number, run: Promise<number | null>, durationMs: number): Promise<Map<string, number>> {
  let done = false;
  void run.finally(() => (done = true));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let pid: number | null = null;
  while (!done && pid === null) {
    await sleep(500);
    pid = findBelow(root, 'users/main.js', 'generator-0');
  }
  if (pid === null) return new Map();
  await sleep(15_000);
  const a: ThreadSnapshot = threadSnapshot(pid);
  await sleep(Math.max(5_000, durationMs - 25_000));
  return done ? new Map() : coresByThread(a, threadSnapshot(pid));
}

async function runOnce(design: Design, n: number): Promise<Row> {
  const out = path.join(tmp, `${design}-${n}`);
  const seconds = runSeconds(n);
  const args = [CLI, 'scenario', 'voice-2', '--sessions', String(n), '--ramp-step', String(n), '--duration', `${seconds}s`, '--warmup', '10s', '--users-per-generator', '50', '--out', out];
  process.stderr.write(`bench: ${design} design, ${n} users for ${seconds} s…\n`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VOICELOAD_GENERATOR_DESIGN: design } });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const threads = child.pid === undefined ? new Map<string, number>() : await watchThreads(child.pid, exit, seconds * 1000);
  const status = await exit;
  if (status !== 0 && status !== 3) throw new Error(`run with ${n} users exited ${status}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  const roles = r.roles;
  const load = roles ? roles.generator.cpuCores.mean + roles.server.cpuCores.mean + roles.harness.cpuCores.mean : null;
  const system = r.system?.cpuCores.mean ?? null;
  const audio = r.qos.agentAudio;
  return {
    design, users: n, joined: r.sessions.joined, windowed: !r.invalidReasons.includes(NO_WINDOW), genCpu: roles?.generator.cpuCores.mean ?? null, threads,
    publishP99: r.qos.publishLateMs.p99, gaps: audio.gapsOver100ms,
    framesShare: audio.framesExpected ? audio.framesReceived / audio.framesExpected : null,
    loadShare: load !== null && system ? load / system : null, loadCores: load,
  };
}

/** Least-squares intercept and slope of (users, y). */
function line(pts: (readonly [number, number])[]): { fixed: number; perUser: number } | null {
  if (pts.length < 2) return null;
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const perUser = pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { fixed: my - perUser * mx, perUser };
}

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(0)} %`);
const other = (t: Map<string, number>) => [...t].filter(([k]) => !THREADS.includes(k)).reduce((s, [, v]) => s + v, 0);

function render(rows: Row[]): string {
  const host = `${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.release()}, node ${process.version}`;
  const fit = (d: Design, y: (r: Row) => number | null | undefined) => line(rows.filter((r) => r.design === d && r.windowed && y(r) != null).map((r) => [r.joined, y(r) as number] as const));
  return [
    `Generator cost on ${host}; each run ${duration} plus ${JOIN_S_PER_USER} s per user for the joins (voice-2, bare agents, window after every session joined plus 10 s; "no window": none, so the figures are over the whole run and left out of the fit).`,
    '',
    '| design | users (joined) | generator CPU, cores | per user | publish lateness p99, ms | tone gaps > 100 ms | agent audio received / expected | load side, cores | load side / host CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.design} | ${r.users} (${r.joined}) | ${f(r.genCpu)} | ${r.genCpu !== null && r.joined ? f(r.genCpu / r.joined) : 'n/a'} | ${f(r.publishP99, 1)}${r.windowed ? '' : ' (no window)'} | ${r.gaps} | ${pct(r.framesShare)} | ${f(r.loadCores, 2)} | ${pct(r.loadShare)} |`),
    '',
    `Generator CPU by thread, cores (from 15 s after it started to 10 s before the end):`,
    '',
    `| design | users | ${THREADS.join(' | ')} | other |`,
    `|---|---:|${THREADS.map(() => '---:|').join('')}---:|`,
    ...rows.map((r) => `| ${r.design} | ${r.joined} | ${THREADS.map((t) => f(r.threads.get(t))).join(' | ')} | ${f(other(r.threads))} |`),
    '',
    '| design | fixed per generator process, cores | per additional user, cores | of which Opus encoding (AudioEncoder threads) | per user / encoding |',
    '|---|---:|---:|---:|---:|',
    ...DESIGNS.map((d) => {
      const all = fit(d, (r) => r.genCpu);
      const enc = fit(d, (r) => r.threads.get('AudioEncoder'));
      return `| ${d} | ${f(all?.fixed)} | ${f(all?.perUser, 4)} | ${f(enc?.perUser, 4)} | ${all && enc && enc.perUser > 0 ? `${(all.perUser / enc.perUser).toFixed(1)}×` : 'n/a'} |`;
    }),
  ].join('\n') + '\n';
}

const rows: Row[] = [];
// Interleaved, so a slow drift of the host does not favour one design.
for (const n of counts) for (const d of DESIGNS) rows.push(await runOnce(d, n));
process.stdout.write(render(rows));
process.stderr.write(`bench: raw results in ${tmp}\n`);
