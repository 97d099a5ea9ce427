/**
 * `voiceload merge DIR... [--out OUT] [sizing flags]`: folds the shard folders of one distributed run
 * (each written by `scenario NAME --shard i/N`: shard.json and samples.jsonl) into one run folder
 * with the usual reports: results.json, samples.jsonl (aligned), summary.md, sizing.md, report.html.
 * Exit 0 valid, 3 invalid, 2 bad input (nothing written), 1 when results.json could not be written.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SIZING_HELP, SIZING_OPTIONS, sizingInputs } from '../capacity/inputs.js';
import { EXIT, HarnessError, UsageError } from '../common/errors.js';
import { readSamples } from '../report/read-run.js';
import { writeRunReport } from '../report/render.js';
import { writeAtomic } from '../report/write.js';
import { mergeShards, type ShardRun } from '../results/merge.js';
import { parseShardFile, shardFromLog } from '../results/shard.js';
import { prepareOutDir } from './out-dir.js';

const USAGE = `usage: voiceload merge DIR|LOG... [--out OUT] [flags]

Merges the shards of one distributed run (each a folder from \`scenario NAME --shard i/N\`, or a
pod's log from \`kubectl logs\` of a shard run with --shard-to-log) into one
run folder: counts add, histograms add bucket by bucket, per-second samples align on wall time,
and each shard's own health is kept (results.json "shards").
  --out OUT   the merged run's folder (default reports/<scenario>-merged-<time>); must be new or empty

${SIZING_HELP}`;

/** One shard: a folder (shard.json, samples.jsonl), or a pod's log holding its result line. */
async function readShard(where: string): Promise<ShardRun> {
  const info = await stat(where).catch(() => null);
  if (info === null) throw new UsageError(`${where}: no such folder or file; name shard folders or pod logs`);
  if (info.isDirectory()) return readShardFolder(where);
  const { json, samples } = shardFromLog(await readFile(where, 'utf8'), where);
  return { file: parseShardFile(json, where), samples };
}

/** One shard folder: shard.json (checked) and samples.jsonl. */
async function readShardFolder(dir: string): Promise<ShardRun> {
  const file = path.join(dir, 'shard.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`${file}: not found; name the folders \`scenario NAME --shard i/N --out DIR\` wrote`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return { file: parseShardFile(json, file), samples: (await readSamples(dir)).samples };
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...SIZING_OPTIONS, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; see merge --help`);
  }
}

/** Merges shard folders into one run folder; resolves with the exit code. */
export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('merge: name the shard folders: voiceload merge DIR... [--out OUT]');
  const inputs = sizingInputs(values);
  const shards = await Promise.all(positionals.map(readShard));
  const merged = mergeShards(shards);
  const { dir: out } = await prepareOutDir(values.out ?? null, `${merged.result.scenario}-merged`);
  await writeAtomic(path.join(out, 'samples.jsonl'), merged.samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const { problems } = await writeRunReport(out, { result: merged.result, samples: merged.samples, inputs, withResults: true });
  const lost = problems.find((p) => p.output === 'results.json');
  if (lost) throw new HarnessError(`results.json could not be written: ${lost.message}`);
  for (const p of problems) process.stderr.write(`voiceload: warning: ${p.output} not written: ${p.message}\n`);
  const r = merged.result;
  process.stderr.write(`voiceload: merged ${r.shards?.count} shards of ${r.scenario}: ${r.sessions.joined}/${r.sessions.requested} sessions joined, ${r.valid ? 'valid' : `INVALID: ${r.invalidReasons.join('; ')}`}\n`);
  process.stdout.write(`${out}\n`);
  return r.valid ? EXIT.ok : EXIT.invalidRun;
}
