/**
 * Reads an existing run folder (results.json and samples.jsonl): the one reader of results.json,
 * for re-rendering a report and for the gate and baseline commands. Anything missing or malformed
 * is a UsageError naming the file and what is wrong: one line, exit 2. results.json is checked
 * against results/schema.ts; any field added later passes through as written.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { parseRunResult } from '../results/schema.js';
import type { RunResult } from '../results/types.js';
import type { Sample } from '../sampling/types.js';

const WHAT = 'name a folder a scenario run wrote';

/** A file of the run folder; null when it is not there. */
async function readIfThere(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`${path}: cannot read (${code ?? (err as Error).message}); ${WHAT}`);
  }
}

async function readText(path: string): Promise<string> {
  const text = await readIfThere(path);
  if (text === null) throw new UsageError(`${path}: not found; ${WHAT}`);
  return text;
}

/** Parses and checks the text of results.json read from `path`. */
function parseResultText(text: string, path: string): RunResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseRunResult(json, path);
}

/** results.json of `dir`, checked. */
export async function readResult(dir: string): Promise<RunResult> {
  const path = join(dir, 'results.json');
  return parseResultText(await readText(path), path);
}

/** results.json of `dir`, checked; null when the folder has none (a run that failed before writing it). */
export async function readResultOrNull(dir: string): Promise<RunResult | null> {
  const path = join(dir, 'results.json');
  const text = await readIfThere(path);
  return text === null ? null : parseResultText(text, path);
}

/**
 * samples.jsonl of `dir`, one Sample per line. A malformed last line is dropped (a run stopped
 * mid-write leaves one); a malformed line elsewhere is an error naming its number.
 */
export async function readSamples(dir: string): Promise<{ samples: Sample[]; droppedLastLine: boolean }> {
  const path = join(dir, 'samples.jsonl');
  const lines = (await readText(path)).split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const samples: Sample[] = [];
  let droppedLastLine = false;
  lines.forEach((line, i) => {
    try {
      const s = JSON.parse(line) as Sample;
      if (typeof s?.elapsedMs !== 'number' || typeof s.roles !== 'object') throw new Error('not a sample');
      samples.push(s);
    } catch {
      if (i === lines.length - 1) droppedLastLine = true;
      else throw new UsageError(`${path}: line ${i + 1} is not a sample (JSON with elapsedMs and roles)`);
    }
  });
  return { samples, droppedLastLine };
}

/** The run folder `dir`: its result and samples. */
export async function readRunFolder(dir: string): Promise<{ result: RunResult; samples: Sample[]; droppedLastLine: boolean }> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new UsageError(`${dir}: no such folder; name a run folder (e.g. reports/voice-30-…)`);
  }
  if (!info.isDirectory()) throw new UsageError(`${dir}: not a folder; name a run folder (e.g. reports/voice-30-…)`);
  const result = await readResult(dir);
  return { result, ...(await readSamples(dir)) };
}
