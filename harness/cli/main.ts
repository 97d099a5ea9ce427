#!/usr/bin/env node
/** voiceload's command line: parses, dispatches, maps errors to exit codes. No business logic. */
import { EXIT, HarnessError, InterruptedError, UsageError } from '../common/errors.js';
import { scenarioCommand } from './scenario-command.js';
import { baselineCommand } from './baseline-command.js';
import { gateCommand } from './gate-command.js';
import { reportCommand } from './report-command.js';
import { mergeCommand } from './merge-command.js';
import { k8sCommand } from './k8s-command.js';
import { listScenarios } from '../scenario/load.js';
import { provisionServer } from '../server/provision.js';

const HELP = `usage: voiceload <command>
  scenario NAME [flags]   run a load scenario (see: scenario --help)
  list                    list the scenarios
  gate [NAME] [flags]     run and check thresholds / a baseline (see: gate --help)
  baseline save [flags]   save a baseline for the gate (see: baseline --help)
  report DIR [flags]      re-render a run folder's reports (see: report --help)
  merge DIR|LOG... [flags]  merge the shards of a distributed run (see: merge --help)
  k8s NAME --shards N     write a distributed run's Kubernetes manifests (see: k8s --help)
  provision               find or build livekit-server; print its path
exit codes: 0 ok, 1 harness error, 2 bad input, 3 invalid run, 99 gate failed, 105 interrupted
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scenario':
      return scenarioCommand(rest, argv);
    case 'gate':
      return gateCommand(rest);
    case 'baseline':
      return baselineCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'merge':
      return mergeCommand(rest);
    case 'k8s':
      return k8sCommand(rest);
    case 'list':
      process.stdout.write(`${(await listScenarios()).join('\n')}\n`);
      return EXIT.ok;
    case 'provision':
      process.stdout.write(`${await provisionServer((l) => process.stderr.write(`voiceload: ${l}\n`))}\n`);
      return EXIT.ok;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    default:
      throw new UsageError(`unknown command '${command}'; commands: scenario, gate, baseline, report, merge, k8s, list, provision`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    const code = err instanceof UsageError ? EXIT.badInput : err instanceof InterruptedError ? EXIT.interrupted : EXIT.harnessError;
    const known = err instanceof UsageError || err instanceof HarnessError || err instanceof InterruptedError;
    process.stderr.write(`voiceload: ${known ? err.message : err.stack ?? err.message}\n`);
    process.exit(code);
  },
);
