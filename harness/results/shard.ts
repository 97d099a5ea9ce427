/**
 * A shard result (shard.json): what one generator host of a distributed run gathered, before
 * aggregation, so that `merge` can fold every shard's sessions into one run exactly — counters add,
 * histograms add bucket by bucket, onset lags are pooled, never averaged. The per-second samples
 * stay in the shard's samples.jsonl beside it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { Sample } from '../sampling/types.js';
import type { RunInput } from './types.js';

/** Which shard of how many, and how many sessions the whole run has. */
export interface ShardId { index: number; count: number; totalSessions: number }

/** What shard.json holds. */
export interface ShardFile {
  kind: 'voiceload-shard';
  version: 1;
  shard: ShardId;
  /** The start instant every shard was given (epoch ms), null when this one started at once. */
  startAt: number | null;
  /** Everything the shard gathered but its samples (they are in samples.jsonl). */
  input: Omit<RunInput, 'samples'>;
}

/** shard.json's text. */
export function renderShardJson(shard: ShardId, startAt: number | null, input: RunInput): string {
  const { samples: _samples, ...rest } = input;
  const file: ShardFile = { kind: 'voiceload-shard', version: 1, shard: { ...shard }, startAt, input: rest };
  return `${JSON.stringify(file)}\n`;
}

const num = z.number();
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();
/** Checked down to what the merge relies on; the sessions' own fields are the runner's, as written. */
const shardFile = obj({
  kind: z.literal('voiceload-shard'),
  version: z.literal(1),
  shard: obj({ index: num, count: num, totalSessions: num }),
  startAt: num.nullable(),
  input: obj({
    scenario: z.string(), startedAt: num, endedAt: num, requestedSessions: num, holdFromMs: num, toneHz: num,
    host: obj({ hostname: z.string(), cores: num }), sessions: z.array(obj({ index: num, room: z.string() })),
    marks: z.array(obj({ elapsedMs: num })), segments: z.array(obj({})), generatorLoopDelay: z.array(obj({})),
    ramp: obj({ step: num, everyS: num, settleS: num }), invalidReasons: z.array(z.string()),
  }),
});

/** Checks parsed shard.json text read from `path`; a file that is not one is a UsageError naming it. */
export function parseShardFile(json: unknown, path: string): ShardFile {
  const parsed = shardFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UsageError(`${path}: not a voiceload shard result (${i ? `${i.path.join('.')}: ${i.message}` : 'does not match'}); run the scenario with --shard i/N`);
  }
  return parsed.data as unknown as ShardFile;
}

/** The mark of a shard result's line in a pod's log. */
export const SHARD_LOG_MARK = 'voiceload-shard-v1 ';

/**
 * A shard result as one log line (`kubectl logs` is then the whole transport): shard.json and the
 * samples, gzipped and base64-encoded after SHARD_LOG_MARK.
 */
export function shardLogLine(shardJson: string, samples: readonly Sample[]): string {
  const body = JSON.stringify({ shard: JSON.parse(shardJson) as unknown, samples });
  return `${SHARD_LOG_MARK}${gzipSync(body).toString('base64')}\n`;
}

/** The shard result in a pod's log text (the last such line); a log without one is a UsageError naming it. */
export function shardFromLog(text: string, path: string): { json: unknown; samples: Sample[] } {
  const line = text.split('\n').reverse().find((l) => l.startsWith(SHARD_LOG_MARK));
  if (!line) throw new UsageError(`${path}: no shard result in this log; was the pod's shard finished, and run with --shard-to-log?`);
  let body: { shard: unknown; samples: Sample[] };
  try {
    body = JSON.parse(gunzipSync(Buffer.from(line.slice(SHARD_LOG_MARK.length).trim(), 'base64')).toString('utf8')) as typeof body;
  } catch (err) {
    throw new UsageError(`${path}: the shard result line is damaged (${(err as Error).message}); collect the log again`);
  }
  return { json: body.shard, samples: body.samples };
}
