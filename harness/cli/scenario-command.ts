import path from 'node:path';
import { EXIT, HarnessError, InterruptedError, UsageError } from '../common/errors.js';
import { judgeContext, rampStopReasons } from '../capacity/quality.js';
import type { SizingInputs } from '../capacity/types.js';
import { humanRoomFor } from './human.js';
import { writeRunReport } from '../report/render.js';
import { writeAtomic } from '../report/write.js';
import { renderShardJson, shardLogLine } from '../results/shard.js';
import { shardScenario } from '../scenario/shard.js';
import { checkWorkerImage } from '../runtimes/container.js';
import { hostInfo } from '../sampling/host.js';
import type { RunResult } from '../results/types.js';
import { Runner, type Progress, type RunOutput } from '../run/runner.js';
import { listScenarios, loadScenario } from '../scenario/load.js';
import { generatorDesign } from '../sessions/ipc.js';
import { connectExternal, externalFromEnv } from '../server/external.js';
import { startLocalServer } from '../server/local.js';
import { provisionServer } from '../server/provision.js';
import { provisionPythonAgents } from '../runtimes/python/provision.js';
import { parseScenarioArgs, SCENARIO_HELP } from './args.js';
import { netnsState, needsNetns, reexecInNetns } from './netns.js';
import { prepareOutDir, removeCreated, type OutDir } from './out-dir.js';
import { loadSpeech } from './speech.js';
import { formatProgress, StatusLine } from './status.js';

/** `voiceload scenario NAME [flags]`: validates everything, then runs; resolves with the exit code. */
export async function scenarioCommand(argv: string[], fullArgv: string[]): Promise<number> {
  const flags = parseScenarioArgs(argv);
  if (flags.help) {
    process.stdout.write(SCENARIO_HELP);
    return EXIT.ok;
  }
  if (!flags.name) throw new UsageError(`name a scenario; known scenarios: ${(await listScenarios()).join(', ')}`);
  // Said once: the run re-executes this command inside its namespace, which loads the scenario again.
  const sayOutside = (line: string) => netnsState().inside === null && process.stderr.write(`voiceload: ${line}\n`);
  const whole = await loadScenario(flags.name, flags.overrides, undefined, sayOutside);
  const scenario = flags.shard ? shardScenario(whole, flags.shard) : whole;
  const speech = await loadSpeech(flags.speech);
  generatorDesign(); // an unknown VOICELOAD_GENERATOR_DESIGN is bad input, said before any work
  const external = externalFromEnv();
  // Shards of one run must meet on one server: a local one per shard would be N separate runs.
  if (flags.shard && !external) throw new UsageError('--shard needs the shared server: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET');
  const makeHuman = humanRoomFor(flags.human);
  const image = scenario.pool.workerImage;
  if (image) await checkWorkerImage(image, { external: external !== null && external !== undefined, netns: flags.netns });
  if (scenario.pool.runtime === 'deployed' && !external) {
    throw new UsageError('--agent-name dispatches to workers you deployed: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET to the server they registered with');
  }
  const isolate = needsNetns({ local: !external, wanted: flags.netns });
  // Last of the checks, as it makes the folder: whatever it made is removed again if nothing lands in it.
  const out = await prepareOutDir(flags.out, scenario.name);
  try {
    // The first use builds the server with Go and the Python runtime's venv with pip, which need the
    // package registries: done here, before moving into a namespace that has no route out, and
    // before the run's clock starts, so a build never eats the ramp or the measured window.
    // Inside our namespace both were made by the run outside it.
    if (netnsState().inside === null) {
      if (!external) await provisionOutside();
      if (scenario.pool.runtime === 'python') await provisionPythonAgents((line) => process.stderr.write(`voiceload: ${line}\n`));
    }
    // Re-run inside a private namespace with the report folder fixed, so both runs agree on it.
    if (isolate) return await reexecInNetns(flags.out ? fullArgv : [...fullArgv, '--out', out.dir]);
    return await runHere({ scenario, speech, external, makeHuman, sizing: flags.sizing, confine: flags.confine, flags }, out.dir);
  } finally {
    await removeCreated(out);
  }
}

/**
 * Finds or builds the server before the run (and before entering the namespace). A Ctrl-C during
 * the build stops it (go is killed) and ends the command with exit 105, after the caller has
 * removed what it made.
 */
async function provisionOutside(): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await provisionServer((line) => process.stderr.write(`voiceload: ${line}\n`), process.env, abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** What runHere needs, all of it checked. */
interface Checked {
  scenario: Awaited<ReturnType<typeof loadScenario>>;
  speech: Awaited<ReturnType<typeof loadSpeech>>;
  external: ReturnType<typeof externalFromEnv>;
  makeHuman: ReturnType<typeof humanRoomFor>;
  sizing: SizingInputs;
  confine: boolean;
  /** The parsed flags, for the shard's start instant and outputs and the agents' source. */
  flags: ReturnType<typeof parseScenarioArgs>;
}

/**
 * The signals of a run: the first stops it gracefully (users, agents, server; a partial report),
 * the second at once (every process killed, the cgroup removed, exit 105), as k6 does.
 */
function onSignals(abort: AbortController, say: (line: string) => void, killNow: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals === 1) {
      say(`${sig}: stopping users, agents and server; writing a partial report (again to stop at once)`);
      abort.abort();
      return;
    }
    if (signals > 2) return;
    say(`${sig} again: stopping at once; no report`);
    void killNow().finally(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/** Runs the scenario in this process (already in its namespace, or without one) into `outDir`. */
async function runHere(c: Checked, outDir: string): Promise<number> {
  const { scenario, speech, external, makeHuman } = c;
  const status = new StatusLine(process.stderr);
  const say = (line: string) => status.message(`voiceload: ${line}`);
  if (!speech.hasTruth) say(`no ${path.basename(speech.path, '.wav')}.segments.json beside ${speech.path}: VAD accuracy will not be judged`);
  const ns = netnsState();
  const abort = new AbortController();
  let runner: Runner | null = null;
  onSignals(abort, say, async () => {
    status.clear();
    await runner?.killNow();
  });
  const human = makeHuman?.({ outDir, speechPath: speech.path, segments: speech.segments, toneHz: scenario.toneHz, durationS: scenario.durationS, netns: ns.inside, say });
  runner = new Runner({
    ...(human ? { human } : {}),
    scenario,
    speechPath: speech.path,
    segments: speech.segments,
    outDir,
    network: external ? { mode: 'external', namespace: null, allowedAddrs: [] } : { mode: ns.inside ? 'netns' : 'host', namespace: ns.inside, allowedAddrs: ns.addrs },
    signal: abort.signal,
    // Deployed workers run elsewhere: there are no agents here to give CPUs of their own.
    confine: c.confine && scenario.pool.runtime !== 'deployed',
    partition: c.confine && scenario.pool.runtime !== 'deployed',
    ...(c.flags.startAt !== undefined ? { startAt: c.flags.startAt } : {}),
    ...(c.flags.agentsSource ? { agentsSource: c.flags.agentsSource } : {}),
    judgeStep: (step, confinement) => rampStopReasons(step, judgeContext(hostInfo(), confinement, c.sizing.loadThreshold)),
    startServer: async (signal) => {
      if (external) return connectExternal(external, signal);
      const binary = await provisionServer(say, process.env, signal);
      return startLocalServer({ binary, logFile: path.join(outDir, 'server.log'), mediaAddrs: ns.addrs, signal });
    },
  });
  runner.on('progress', (p: Progress) => status.update(formatProgress(scenario.name, p), p.elapsedS));
  runner.on('warning', (w: string) => say(`warning: ${w}`));
  runner.on('info', (m: string) => say(m));
  const part = scenario.shard ? ` (shard ${scenario.shard.index}/${scenario.shard.count} of ${scenario.shard.totalSessions})` : '';
  say(`${scenario.name}: ${scenario.sessions} sessions${part}, ${scenario.durationS} s, report in ${outDir}`);
  let run: RunOutput;
  try {
    run = await runner.run();
  } catch (err) {
    status.clear();
    if (err instanceof UsageError || err instanceof InterruptedError) throw err;
    throw new HarnessError((err as Error).message);
  }
  status.clear();
  await writeRunFiles(outDir, run, c.sizing, say);
  if (scenario.shard) {
    const shardJson = renderShardJson(scenario.shard, c.flags.startAt ?? null, run.input);
    await writeAtomic(path.join(outDir, 'shard.json'), shardJson);
    // In a pod, the log is the way out: one line that `voiceload merge` reads from `kubectl logs`.
    if (c.flags.shardToLog) process.stdout.write(shardLogLine(shardJson, run.samples));
  }
  const { result } = run;
  // A fault mid-run still leaves its partial report behind, then surfaces.
  if (run.error) {
    say(`partial report in ${outDir}`);
    throw run.error instanceof UsageError ? run.error : new HarnessError(run.error.message);
  }
  printOutcome(result, outDir);
  if (result.interrupted) return EXIT.interrupted;
  return result.valid ? EXIT.ok : EXIT.invalidRun;
}

/**
 * Every report file of the run, through the one render path: results.json must be written (its
 * failure is a harness error); any other reporter that fails is a warning, never a lost run.
 */
async function writeRunFiles(dir: string, run: RunOutput, sizing: SizingInputs, say: (l: string) => void): Promise<void> {
  const { problems } = await writeRunReport(dir, { result: run.result, samples: run.samples, inputs: sizing, withResults: true });
  const lost = problems.find((p) => p.output === 'results.json');
  if (lost) throw new HarnessError(`results.json could not be written: ${lost.message}`);
  for (const p of problems) say(`warning: ${p.output} not written: ${p.message} (re-render with npm run report -- ${dir})`);
}

function printOutcome(r: RunResult, dir: string): void {
  const lines = [
    `voiceload: ${r.scenario} ${r.valid ? 'done' : 'INVALID'}: ${r.sessions.joined}/${r.sessions.requested} sessions joined`,
    ...r.invalidReasons.map((why) => `  - ${why}`),
    r.perSession.cpuCores !== null
      ? `  per session (agents, measured): ${r.perSession.cpuCores.toFixed(3)} cores, ${((r.perSession.pssBytes ?? r.perSession.rssBytes ?? 0) / 1024 ** 2).toFixed(0)} MB`
      : '  per session: n/a',
    `  VAD: ${r.qos.vad.segmentsDetected}/${r.qos.vad.segmentsExpected} segments, onset lag p95 ${r.qos.vad.onsetLagMs.p95Censored ? '> ' : ''}${r.qos.vad.onsetLagMs.p95?.toFixed(0) ?? 'n/a'} ms`,
    `  report: ${path.join(dir, 'summary.md')}, sizing: ${path.join(dir, 'sizing.md')}, charts: ${path.join(dir, 'report.html')}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
