/**
 * `voiceload report DIR [sizing flags]` (`npm run report -- DIR`): re-renders a run folder's outputs (sizing.md, k8s/*.yaml,
 * report.html, charts/*.svg, summary.md) from its results.json and samples.jsonl, without
 * re-running anything. Exit 0 when every available reporter wrote its output, 1 when one failed
 * (the others are still written), 2 on bad input (nothing written).
 */
import { parseArgs } from 'node:util';
import { SIZING_HELP, SIZING_OPTIONS, sizingInputs } from '../capacity/inputs.js';
import { EXIT, UsageError } from '../common/errors.js';
import { readRunFolder } from '../report/read-run.js';
import { writeRunReport } from '../report/render.js';
import { checkWritableDir } from './out-dir.js';
import { refuseNegativeValues, refuseRepeats } from './flags.js';

const USAGE = `usage: npm run report -- DIR [flags]
       (or: node dist/harness/cli/main.js report DIR [flags])

Re-renders sizing.md, k8s/deployment.yaml, k8s/hpa.yaml, report.html, charts/*.svg and summary.md
in the run folder DIR from its results.json and samples.jsonl, without re-running the scenario.

${SIZING_HELP}`;

function say(line: string): void {
  process.stderr.write(`voiceload: ${line}\n`);
}

/** Re-renders a run folder; resolves with the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  const options = { ...SIZING_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;
  refuseNegativeValues(argv, options);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; see --help`);
  }
  refuseRepeats(parsed.tokens);
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('name one run folder: npm run report -- DIR [flags]; see --help');
  const inputs = sizingInputs(parsed.values);
  const { result, samples, droppedLastLine } = await readRunFolder(dir);
  await checkWritableDir(dir, `report ${dir}`);
  if (droppedLastLine) say('samples.jsonl: its last line was cut short (a run stopped mid-write); left out');
  const { written, problems } = await writeRunReport(dir, { result, samples, inputs, withResults: false });
  for (const path of written) process.stdout.write(`${path}\n`);
  for (const p of problems) {
    say(p.status === 'skipped' ? `${p.output} not written: its reporter is not built yet (${p.message})` : `${p.output} failed: ${p.message}`);
  }
  return problems.some((p) => p.status === 'failed') ? EXIT.harnessError : EXIT.ok;
}
