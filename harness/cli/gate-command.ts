/**
 * `voiceload gate [NAME] [flags]`: runs the scenario (or reads finished runs), checks thresholds
 * and an optional baseline, writes junit.xml, gate.md and gate.json, prints a table; resolves with
 * the exit code (0 pass, 99 failed, 3 invalid run, 2 bad input, 1 harness error, 105 interrupted).
 */
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../report/write.js';
import path from 'node:path';
import { EXIT, UsageError } from '../common/errors.js';
import { checkOutFile, prepareOutDir, removeCreated, type OutDir } from './out-dir.js';
import { checkBaselineFits, parseBaseline, type Baseline } from '../gate/baseline.js';
import { emptyConfig, loadGateFile, parseConfidence, parseShare, withThresholds, type GateConfig } from '../gate/config.js';
import { evaluateGate, type GateRun } from '../gate/evaluate.js';
import { intFlag, splitArgs } from './gate-args.js';
import { renderJunit } from '../gate/junit.js';
import { renderMarkdown } from '../gate/markdown.js';
import { readFinishedRuns, runScenarioTimes } from './gate-runs.js';
import { commonScenario, planScenario, refuseScenarioFlags, scenarioThresholds } from './gate-sources.js';
import { renderTable } from '../gate/table.js';

export const GATE_HELP = `usage: npm run gate -- [NAME] [flags] [scenario flags]
       (or: node dist/harness/cli/main.js gate …)

Runs scenario NAME (default: the baseline's) and fails when a threshold or a baseline comparison
fails. Thresholds come from the scenario file's 'thresholds' and from --gate FILE.

flags:
  --gate FILE          gate file (JSON): {"thresholds": ["perSession.cpuCores < 0.15", …],
                       "compare": [metric, …], "tolerance": "10%" | {"default": "10%", metric: "5%"},
                       "confidence": 0.95}
  --baseline FILE      compare with a baseline (npm run baseline -- save)
  --runs N             run the scenario N times (default 1; 3 gives an interval on this side too)
  --results DIR…       judge finished runs instead of running (their report folders)
  --tolerance X        default tolerance, e.g. 10% or 0.1 (overrides the gate file's default)
  --confidence X       interval confidence, e.g. 95% (default)
  --out DIR            gate folder: run-K/ report folders, junit.xml, gate.md, gate.json
                       (default reports/gate-<scenario>-<time>; must be new or empty)
  --junit FILE         write the JUnit XML here instead
  --markdown FILE      write the Markdown summary here instead
  --fail-on-inconclusive
                       exit 99 when a comparison is inconclusive (its interval straddles the
                       tolerance on the worse side); without it such a gate is INCONCLUSIVE, exit 0
scenario flags (--duration, --sessions, --no-netns, …) are passed to each run; see: scenario --help
exit codes: 0 pass (or inconclusive), 99 a threshold or comparison failed, 3 a run was invalid, 2 bad input,
            1 harness error, 105 interrupted
`;

const SPEC = {
  single: ['gate', 'baseline', 'runs', 'out', 'tolerance', 'confidence', 'junit', 'markdown'],
  multi: ['results'],
  booleans: ['help', 'fail-on-inconclusive'],
};

/** Reads and checks a baseline file. */
export async function loadBaseline(file: string): Promise<Baseline> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new UsageError(`--baseline ${file}: cannot read it (${err.message}); save one with: npm run baseline -- save`);
  });
  return parseBaseline(text, file);
}

async function gateConfig(values: Record<string, string>): Promise<GateConfig> {
  const config = values.gate ? await loadGateFile(values.gate) : emptyConfig();
  if (values.tolerance !== undefined) config.tolerance.default = parseShare(values.tolerance, '--tolerance');
  if (values.confidence !== undefined) config.confidence = parseConfidence(values.confidence, '--confidence');
  return config;
}

/** The gate command; `say` prints progress to stderr, the table goes to stdout. */
export async function gateCommand(argv: string[]): Promise<number> {
  const { values, lists, booleans, rest } = splitArgs(argv, SPEC);
  if (booleans.has('help')) {
    process.stdout.write(GATE_HELP);
    return EXIT.ok;
  }
  const say = (line: string) => process.stderr.write(`voiceload gate: ${line}\n`);
  let config = await gateConfig(values);
  const baseline = values.baseline ? await loadBaseline(values.baseline) : null;
  // Every output path is checked before any run: an unwritable one is bad input now, not after the runs.
  if (values.junit !== undefined) await checkOutFile(values.junit, '--junit');
  if (values.markdown !== undefined) await checkOutFile(values.markdown, '--markdown');
  let runs: GateRun[];
  let scenario: string;
  let out: OutDir;
  if (lists.results) {
    refuseScenarioFlags(rest, '--results');
    if (values.runs !== undefined) throw new UsageError('--runs has no effect with --results (the runs are finished)');
    runs = await readFinishedRuns(lists.results, '--results');
    const common = commonScenario(runs, '--results');
    scenario = common.name;
    if (baseline) checkBaselineFits(baseline, scenario, common.sessions, values.baseline as string);
    config = withThresholds(config, await scenarioThresholds(scenario, null));
    out = await prepareOutDir(values.out ?? null, `gate-${scenario}`);
  } else {
    const count = intFlag(values.runs, 'runs', 1, 20, 1);
    const planned = await planScenario(rest, baseline?.scenario ?? null, 'gate');
    scenario = planned.scenario.name;
    if (baseline) checkBaselineFits(baseline, scenario, planned.scenario.sessions, values.baseline as string);
    config = withThresholds(config, await scenarioThresholds(scenario, planned.scenario));
    out = await prepareOutDir(values.out ?? null, `gate-${scenario}`);
    runs = await runScenarioTimes(planned.args, out.dir, count, say).catch(async (err: unknown) => {
      await removeCreated(out);
      throw err;
    });
  }
  const outDir = out.dir;
  const report = evaluateGate({
    scenario, runs, config, baseline: baseline && { file: values.baseline as string, data: baseline },
    failOnInconclusive: booleans.has('fail-on-inconclusive'),
  });
  const junit = path.resolve(values.junit ?? path.join(outDir, 'junit.xml'));
  const markdown = path.resolve(values.markdown ?? path.join(outDir, 'gate.md'));
  await writeAtomic(path.join(outDir, 'gate.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(junit, renderJunit(report));
  await writeAtomic(markdown, renderMarkdown(report));
  process.stdout.write(renderTable(report));
  say(`JUnit ${junit}, summary ${markdown}`);
  return report.exitCode;
}
