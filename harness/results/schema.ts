/**
 * The zod schema of results.json: what every reader (report, gate, baseline) checks before it
 * trusts a file. Every field of RunResult is required as the type says; objects pass unknown keys
 * through (a field added later survives a re-render). The human and worker sections are checked
 * down to their top-level keys. The compiler fails below when RunResult and the schema part ways.
 */
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import type { HumanSummary } from './human.js';
import type { RunResult } from './types.js';
import type { WorkersResult } from './workers.js';

const num = z.number();
const nnum = num.nullable();
const strings = z.array(z.string());
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();
const summary3 = obj({ mean: num, p95: num, max: num });
const summary2 = obj({ mean: num, max: num });
const role = obj({ cpuCores: summary3, rssBytes: summary2, pssBytes: summary2.nullable(), samples: num });
const p50p95 = obj({ p50: nnum, p95: nnum });
const onsetLag = obj({ p50: nnum, p95: nnum, p50Censored: z.boolean().optional(), p95Censored: z.boolean().optional() });
const lateness = obj({ p50: nnum, p99: nnum, max: nnum });
const series = obj({ cpuCores: z.array(num), pssBytes: z.array(num).nullable(), rssBytes: z.array(num) });

const qos = obj({
  vad: obj({ segmentsExpected: num, segmentsDetected: num, onsetLagMs: onsetLag, inferMs: p50p95 }),
  agentAudio: obj({
    framesExpected: num, framesReceived: num, gapsOver100ms: num, maxGapMs: nnum, toneOk: z.boolean(), sessionsHearingTone: num,
    sessionsListening: num.optional(), generatorStalls: num.optional(),
  }),
  publishDroppedFrames: num.optional(),
  publishLateMs: lateness,
  agentPublishLateMs: lateness,
  agentLoopDelayMs: lateness,
  generatorLoopDelayMs: lateness,
  generatorClockNice: z.array(nnum).optional(),
});

const step = obj({
  index: num, targetSessions: num, sessions: num, startS: num, endS: num, fromS: nnum, toS: nnum,
  series: obj({ agents: series, generator: series, server: series, harness: series }),
  systemCpuCores: z.array(num),
  qos: obj({
    segmentsExpected: num, segmentsDetected: num, onsetLagMs: onsetLag,
    framesExpected: num, framesReceived: num, gapsOver100ms: num, publishLateMsP99: nnum,
    agentPublishLateMsP99: nnum, agentLoopDelayMsP99: nnum, generatorLoopDelayMsP99: nnum,
  }),
});

/** A section checked down to its top-level keys only; its type is the section's own. */
const section = <T>(shape: z.ZodRawShape) => obj(shape) as unknown as z.ZodType<T, z.ZodTypeDef, unknown>;

const human = section<HumanSummary>({
  mode: z.enum(['human', 'probe']), basis: z.string(), joinedAt: nnum, firstAudioAt: nnum, seconds: num,
  heard: obj({}), vad: obj({}), byLoad: z.array(obj({})), overTime: z.array(obj({})), browser: obj({}).nullable(), network: obj({}), errors: strings,
});

const workers = section<WorkersResult>({
  runtime: z.enum(['framework', 'python', 'byo', 'container']), agentName: z.string(), workers: num, loadFunc: z.string(), loadThreshold: num,
  arrival: z.string(), warning: z.string().nullable(), perWorker: z.array(obj({})), perJob: obj({}), fixedPerWorker: obj({}),
  jobsOverTime: obj({}), dispatch: obj({}), routing: obj({}), drain: obj({}).nullable(), failover: obj({}).nullable(), grace: obj({}),
});

const runResult = obj({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationS: num,
  valid: z.boolean(),
  invalidReasons: strings,
  interrupted: z.boolean(),
  host: obj({
    cores: num, memoryBytes: num, hostname: z.string(), cpuModel: z.string(), platform: z.string(), kernel: z.string(), node: z.string(),
    limits: obj({ kind: z.enum(['cgroup-v1', 'cgroup-v2']), cpuCores: num.nullable(), memoryBytes: num.nullable(), machine: obj({ cores: num, memoryBytes: num }) }).optional(),
  }),
  target: obj({ cores: num, memoryBytes: num }),
  server: obj({ mode: z.enum(['local', 'external']), version: z.string().nullable() }),
  network: obj({ mode: z.enum(['netns', 'host', 'external']), namespace: z.string().nullable(), allowedAddrs: strings, candidateAddresses: strings }),
  sessions: obj({ requested: num, joined: num }),
  window: obj({ fromS: num, toS: num, samples: num, basis: z.string() }),
  roles: obj({ agents: role, generator: role, server: role, harness: role }).nullable(),
  system: obj({ cpuCores: summary3, memUsedBytes: summary2, scope: obj({ cpu: z.enum(['machine', 'cgroup']), memory: z.enum(['machine', 'cgroup']) }).optional() }).nullable(),
  sampler: obj({ samples: num, wallMs: summary2.nullable(), cpuMs: summary2.nullable(), maxIntervalMs: nnum }),
  perSession: obj({ cpuCores: nnum, pssBytes: nnum, rssBytes: nnum, basis: z.string(), kind: z.enum(['measured', 'fitted', 'extrapolated']) }),
  qos,
  ramp: obj({ step: num, everyS: num, settleS: num }),
  steps: z.array(step),
  confinement: obj({
    kind: z.enum(['cgroup-v1', 'cgroup-v2']), path: z.string(), cpuCores: num, memoryBytes: num,
    partition: obj({ agentCpus: z.string(), loadCpus: z.string(), loadCores: num, loadPath: z.string() }).nullable().optional(),
  }).nullable().optional(),
  kneeStop: obj({ stepIndex: num, sessions: num, broke: strings, loadSide: strings.optional() }).nullable().optional(),
  human: human.nullable().optional(),
  workers: workers.nullable().optional(),
  agentsElsewhere: z.string().optional(),
  shards: obj({
    count: num, alignedSamples: num, droppedSamples: num,
    each: z.array(obj({
      index: num, hostname: z.string(), cores: num, valid: z.boolean(), invalidReasons: strings, sessions: obj({ requested: num, joined: num }),
      keptRealTime: z.boolean().nullable(), publishLateMsP99: nnum, generatorLoopDelayMsP99: nnum, generatorCpuCores: nnum, harnessCpuCores: nnum,
    })),
  }).nullable().optional(),
});

// What the schema lets through is a RunResult: a field RunResult gains or retypes must be added here.
const fitsRunResult: z.ZodType<RunResult, z.ZodTypeDef, unknown> = runResult;
void fitsRunResult;

function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(top level)'}: ${i.message}` : 'does not match';
}

/**
 * Checks parsed results.json text (`json`, read from `path`) and returns it as a RunResult. A file
 * of another schema version, or one missing or mistyping a field, is a UsageError naming the path
 * and the first field that is wrong.
 */
export function parseRunResult(json: unknown, path: string): RunResult {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== undefined && version !== 1) throw new UsageError(`${path}: schemaVersion ${JSON.stringify(version)}, this voiceload reads 1`);
  const parsed = runResult.safeParse(json);
  if (!parsed.success) {
    const hint = (json as { steps?: unknown } | null)?.steps === undefined ? ' (written before ramp steps were recorded? re-run the scenario)' : '';
    throw new UsageError(`${path}: not a voiceload result: ${firstIssue(parsed.error)}${hint}`);
  }
  return parsed.data;
}
