/**
 * Reads an existing run folder (results.json and samples.jsonl) for re-rendering its report.
 * Anything missing or malformed is a UsageError naming the file and what is wrong: one line, exit 2.
 * results.json is checked for the parts the capacity model reads (schema version, host, target,
 * steps); everything else, and any field added later, passes through as written.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { RunResult } from '../results/types.js';
import type { Sample } from '../sampling/types.js';

const num = z.number();
const series = z.object({ cpuCores: z.array(num), pssBytes: z.array(num).nullable(), rssBytes: z.array(num) }).passthrough();
const nullableNum = num.nullable();
const step = z.object({
  index: num, targetSessions: num, sessions: num, startS: num, endS: num, fromS: nullableNum, toS: nullableNum,
  series: z.object({ agents: series, generator: series, server: series, harness: series }).passthrough(),
  systemCpuCores: z.array(num),
  qos: z.object({
    segmentsExpected: num, segmentsDetected: num, onsetLagMs: z.object({ p50: nullableNum, p95: nullableNum }),
    framesExpected: num, framesReceived: num, gapsOver100ms: num, publishLateMsP99: nullableNum,
    agentPublishLateMsP99: nullableNum, agentLoopDelayMsP99: nullableNum, generatorLoopDelayMsP99: nullableNum,
  }).passthrough(),
}).passthrough();
const resultShape = z.object({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  startedAt: z.string(),
  valid: z.boolean(),
  invalidReasons: z.array(z.string()),
  host: z.object({ cores: num, memoryBytes: num, cpuModel: z.string(), platform: z.string(), kernel: z.string(), node: z.string() }).passthrough(),
  target: z.object({ cores: num, memoryBytes: num }).passthrough(),
  sessions: z.object({ requested: num, joined: num }).passthrough(),
  steps: z.array(step),
  confinement: z.object({ kind: z.enum(['cgroup-v1', 'cgroup-v2']), path: z.string(), cpuCores: num, memoryBytes: num }).passthrough().nullable().optional(),
}).passthrough();

function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(top level)'}: ${i.message}` : 'does not match';
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'not found' : `cannot read (${code ?? (err as Error).message})`}; ${what}`);
  }
}

/** results.json of `dir`, checked. */
export async function readResult(dir: string): Promise<RunResult> {
  const path = join(dir, 'results.json');
  const text = await readText(path, 'name a folder a scenario run wrote');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = resultShape.safeParse(json);
  if (!parsed.success) {
    const hint = (json as { steps?: unknown })?.steps === undefined ? ' (written before ramp steps were recorded? re-run the scenario)' : '';
    throw new UsageError(`${path}: not a voiceload result: ${firstIssue(parsed.error)}${hint}`);
  }
  return parsed.data as unknown as RunResult;
}

/**
 * samples.jsonl of `dir`, one Sample per line. A malformed last line is dropped (a run stopped
 * mid-write leaves one); a malformed line elsewhere is an error naming its number.
 */
export async function readSamples(dir: string): Promise<{ samples: Sample[]; droppedLastLine: boolean }> {
  const path = join(dir, 'samples.jsonl');
  const lines = (await readText(path, 'name a folder a scenario run wrote')).split('\n');
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
