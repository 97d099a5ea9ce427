import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, HarnessError, UsageError } from '../common/errors.js';
import { judgeContext, rampStopReasons } from '../capacity/quality.js';
import type { SizingInputs } from '../capacity/types.js';
import { humanRoomFor } from './human.js';
import { writeRunReport } from '../report/render.js';
import { checkWorkerImage } from '../runtimes/container.js';
import { hostInfo } from '../sampling/host.js';
import type { RunResult } from '../results/types.js';
import { Runner, type Progress, type RunOutput } from '../run/runner.js';
import { listScenarios, loadScenario } from '../scenario/load.js';
import { connectExternal, externalFromEnv } from '../server/external.js';
import { startLocalServer } from '../server/local.js';
import { provisionServer } from '../server/provision.js';
import { parseScenarioArgs, SCENARIO_HELP } from './args.js';
import { netnsState, needsNetns, reexecInNetns } from './netns.js';
import { checkOutDir, createOutDir } from './out-dir.js';
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
  const scenario = await loadScenario(flags.name, flags.overrides);
  const speech = await loadSpeech(flags.speech);
  const external = externalFromEnv();
  const outDir = await checkOutDir(flags.out, scenario.name);
  const makeHuman = humanRoomFor(flags.human);
  const image = scenario.pool.workerImage;
  if (image) await checkWorkerImage(image, { external: external !== null && external !== undefined, netns: flags.netns });
  if (needsNetns({ local: !external, wanted: flags.netns })) {
    // The first use builds the server with Go, which needs the package registries: build it out
    // here, before moving into a namespace that has no route out.
    await provisionServer((line) => process.stderr.write(`voiceload: ${line}\n`));
    // Re-run inside a private namespace with the report folder fixed, so both runs agree on it.
    const again = flags.out ? fullArgv : [...fullArgv, '--out', outDir];
    return reexecInNetns(again);
  }
  const status = new StatusLine(process.stderr);
  const say = (line: string) => status.message(`voiceload: ${line}`);
  if (!speech.hasTruth) say(`no ${path.basename(speech.path, '.wav')}.segments.json beside ${speech.path}: VAD accuracy will not be judged`);
  const ns = netnsState();
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    say(signals === 1 ? `${sig}: stopping users, agents and server; writing a partial report` : 'already stopping');
    abort.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  await createOutDir(outDir);
  const human = makeHuman?.({ outDir, speechPath: speech.path, segments: speech.segments, toneHz: scenario.toneHz, durationS: scenario.durationS, netns: ns.inside, say });
  const runner = new Runner({
    ...(human ? { human } : {}),
    scenario,
    speechPath: speech.path,
    segments: speech.segments,
    outDir,
    network: external ? { mode: 'external', namespace: null, allowedAddrs: [] } : { mode: ns.inside ? 'netns' : 'host', namespace: ns.inside, allowedAddrs: ns.addrs },
    signal: abort.signal,
    confine: flags.confine,
    judgeStep: (step, confinement) => rampStopReasons(step, judgeContext(hostInfo(), confinement, flags.sizing.loadThreshold)),
    startServer: async () => {
      if (external) return connectExternal(external);
      const binary = await provisionServer(say);
      return startLocalServer({ binary, logFile: path.join(outDir, 'server.log'), mediaAddrs: ns.addrs });
    },
  });
  runner.on('progress', (p: Progress) => status.update(formatProgress(scenario.name, p), p.elapsedS));
  runner.on('warning', (w: string) => say(`warning: ${w}`));
  runner.on('info', (m: string) => say(m));
  say(`${scenario.name}: ${scenario.sessions} sessions, ${scenario.durationS} s, report in ${outDir}`);
  let run: RunOutput;
  try {
    run = await runner.run();
  } catch (err) {
    status.clear();
    // Nothing was measured: leave no empty report folder behind.
    await rmdir(outDir).catch(() => undefined);
    throw err instanceof UsageError ? err : new HarnessError((err as Error).message);
  }
  status.clear();
  await writeRunFiles(outDir, run, flags.sizing, say);
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
    `  VAD: ${r.qos.vad.segmentsDetected}/${r.qos.vad.segmentsExpected} segments, onset lag p95 ${r.qos.vad.onsetLagMs.p95?.toFixed(0) ?? 'n/a'} ms`,
    `  report: ${path.join(dir, 'summary.md')}, sizing: ${path.join(dir, 'sizing.md')}, charts: ${path.join(dir, 'report.html')}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
