/**
 * `voiceload baseline save [NAME] [--from DIR…] [--runs N] [--out FILE]`: writes a baseline from
 * finished runs or from new runs of the scenario. Only valid runs make a baseline: anything else
 * exits as the run did (3 invalid, 1 harness error, 105 interrupted) and writes nothing.
 */
import path from 'node:path';
import { EXIT, UsageError } from '../common/errors.js';
import { checkOutFile, prepareOutDir, removeCreated } from './out-dir.js';
import { buildBaseline, renderBaseline } from '../gate/baseline.js';
import { evaluateGate, type GateRun } from '../gate/evaluate.js';
import { emptyConfig } from '../gate/config.js';
import { intFlag, splitArgs } from './gate-args.js';
import { writeAtomic } from '../report/write.js';
import { readFinishedRuns, runScenarioTimes } from './gate-runs.js';
import { commonScenario, planScenario, refuseScenarioFlags } from './gate-sources.js';

export const BASELINE_HELP = `usage: npm run baseline -- save [NAME] [flags] [scenario flags]
       (or: node dist/harness/cli/main.js baseline save …)

Saves a baseline for 'npm run gate -- --baseline FILE': every metric of each run, and the host
the runs were measured on. Save it on the kind of host the gate will run on.

flags:
  --from DIR…     use finished runs (their report folders) instead of running NAME
  --runs N        run the scenario N times (default 3: the spread between runs is what the
                  gate's interval is made of)
  --out FILE      the baseline file (default baselines/<scenario>.json; replaced if it exists)
scenario flags (--duration, --sessions, --no-netns, …) are passed to each run; see: scenario --help
exit codes: 0 saved, 3 a run was invalid (nothing saved), 2 bad input, 1 harness error, 105 interrupted
`;

const SPEC = { single: ['runs', 'out'], multi: ['from'], booleans: ['help'] };

function defaultFile(scenario: string): string {
  return path.join('baselines', `${scenario}.json`);
}

/** The baseline command; its only subcommand is `save`. */
export async function baselineCommand(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(BASELINE_HELP);
    return sub === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (sub !== 'save') throw new UsageError(`baseline: unknown subcommand '${sub}'; use: baseline save [NAME] [--from DIR…]`);
  const { values, lists, booleans, rest } = splitArgs(args, SPEC);
  if (booleans.has('help')) {
    process.stdout.write(BASELINE_HELP);
    return EXIT.ok;
  }
  const say = (line: string) => process.stderr.write(`voiceload baseline: ${line}\n`);
  // The baseline file is checked before any run: an unwritable one is bad input now, not after the runs.
  if (values.out !== undefined) await checkOutFile(values.out, '--out');
  let runs: GateRun[];
  let scenario: string;
  if (lists.from) {
    refuseScenarioFlags(rest, '--from');
    if (values.runs !== undefined) throw new UsageError('--runs has no effect with --from (the runs are finished)');
    runs = await readFinishedRuns(lists.from, '--from');
    scenario = commonScenario(runs, '--from').name;
  } else {
    const count = intFlag(values.runs, 'runs', 1, 20, 3);
    const planned = await planScenario(rest, null, 'baseline save');
    scenario = planned.scenario.name;
    if (values.out === undefined) await checkOutFile(defaultFile(scenario), 'the baseline file');
    const out = await prepareOutDir(null, `baseline-${scenario}`);
    runs = await runScenarioTimes(planned.args, out.dir, count, say).finally(() => removeCreated(out));
  }
  // The gate's own judgement of the runs, with nothing to check: it says whether every run is valid.
  const judged = evaluateGate({ scenario, runs, config: emptyConfig(), baseline: null });
  if (judged.exitCode !== EXIT.ok) {
    say(`no baseline saved: ${judged.skipped ?? judged.verdict}`);
    return judged.exitCode;
  }
  const file = path.resolve(values.out ?? defaultFile(scenario));
  const baseline = buildBaseline(runs.map((r) => ({ result: r.result!, source: r.dir })), new Date());
  await writeAtomic(file, renderBaseline(baseline));
  say(`saved ${file}: ${scenario}, ${runs.length} run${runs.length === 1 ? '' : 's'} on ${baseline.hostDescription}`);
  return EXIT.ok;
}
