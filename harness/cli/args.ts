import { parseArgs } from 'node:util';
import { UsageError } from '../common/errors.js';
import { refuseNegativeValues, refuseRepeats } from './flags.js';
import type { SizingInputs } from '../capacity/types.js';
import { SIZING_HELP, SIZING_OPTIONS, sizingInputs } from '../capacity/inputs.js';
import type { ScenarioSpec } from '../scenario/schema.js';
import { parseDuration } from '../scenario/duration.js';
import { sourceFromFlags, type PrometheusSource } from '../sampling/prometheus.js';
import { parseShard, parseStartAt, type Shard } from '../scenario/shard.js';

/** The flags of `voiceload scenario NAME`. */
export interface ScenarioFlags {
  name: string | null;
  overrides: Partial<ScenarioSpec>;
  speech: string | null;
  out: string | null;
  netns: boolean;
  /** Confine the agents to the target's size on a bigger host. */
  confine: boolean;
  /** One more room for a person (`--human`) or the headless browser probe (`--human-probe`); absent without either. */
  human?: 'human' | 'probe';
  /** What the capacity model sizes with (load threshold, peak, arrival rate, pod start, session length). */
  sizing: SizingInputs;
  /** `--shard i/N`: run shard i's share of the sessions and write shard.json for `merge`. */
  shard?: Shard;
  /** `--start-at`: epoch ms all shards start at, so their ramps line up. */
  startAt?: number;
  /** `--shard-to-log`: also print the shard result as one line on stdout (a pod's log carries it out). */
  shardToLog: boolean;
  /** `--agents-prometheus`: the agents role read from Prometheus instead of /proc. */
  agentsSource?: PrometheusSource;
  help: boolean;
}

const OPTIONS = {
  sessions: { type: 'string' },
  duration: { type: 'string' },
  'ramp-step': { type: 'string' },
  'ramp-every': { type: 'string' },
  warmup: { type: 'string' },
  'users-per-generator': { type: 'string' },
  'join-concurrency': { type: 'string' },
  target: { type: 'string' },
  'tone-hz': { type: 'string' },
  speech: { type: 'string' },
  out: { type: 'string' },
  'no-netns': { type: 'boolean' },
  'no-confine': { type: 'boolean' },
  ramp: { type: 'boolean' },
  human: { type: 'boolean' },
  'human-probe': { type: 'boolean' },
  'load-threshold': SIZING_OPTIONS['load-threshold'],
  'peak-sessions': SIZING_OPTIONS['peak-sessions'],
  'arrival-rate': SIZING_OPTIONS['arrival-rate'],
  'pod-start': SIZING_OPTIONS['pod-start'],
  'session-length': SIZING_OPTIONS['session-length'],
  runtime: { type: 'string' },
  workers: { type: 'string' },
  'worker-cmd': { type: 'string' },
  'worker-container': { type: 'string' },
  'agent-name': { type: 'string' },
  'load-func': { type: 'string' },
  arrival: { type: 'string' },
  shard: { type: 'string' },
  'start-at': { type: 'string' },
  'shard-to-log': { type: 'boolean' },
  'agents-prometheus': { type: 'string' },
  'agents-match': { type: 'string' },
  'scrape-interval': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag}: '${value}' is not a whole number`);
  return Number(value);
}

function agentsSourceOf(url: string | undefined, match: string | undefined, scrape: string | undefined): { agentsSource?: PrometheusSource } {
  if (url === undefined) {
    if (match !== undefined || scrape !== undefined) throw new UsageError('--agents-match and --scrape-interval go with --agents-prometheus URL');
    return {};
  }
  const src = sourceFromFlags(url, match, scrape === undefined ? null : parseDuration(scrape, '--scrape-interval'));
  if (typeof src === 'string') throw new UsageError(src);
  return { agentsSource: src };
}

/** Parses the scenario command's arguments (everything after `scenario`). */
export function parseScenarioArgs(argv: string[]): ScenarioFlags {
  refuseNegativeValues(argv, OPTIONS);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    // node's messages are long and multi-line; keep the first line, which names the flag.
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; see --help`);
  }
  refuseRepeats(parsed.tokens);
  const v = parsed.values;
  if (v['shard-to-log'] && v.shard === undefined) throw new UsageError('--shard-to-log prints a shard result: add --shard i/N');
  if (v.human && v['human-probe']) throw new UsageError('--human and --human-probe both add the human room: pick one');
  if (parsed.positionals.length > 1) throw new UsageError(`one scenario at a time, got: ${parsed.positionals.join(' ')}`);
  const overrides: Partial<ScenarioSpec> = {};
  const set = <K extends keyof ScenarioSpec>(key: K, value: ScenarioSpec[K] | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('sessions', int('sessions', v.sessions));
  set('duration', v.duration);
  set('warmup', v.warmup);
  set('usersPerGenerator', int('users-per-generator', v['users-per-generator']));
  set('joinConcurrency', int('join-concurrency', v['join-concurrency']));
  set('target', v.target);
  set('toneHz', int('tone-hz', v['tone-hz']));
  if (v.ramp) overrides.stopAtKnee = true;
  set('runtime', v.runtime as ScenarioSpec['runtime']);
  set('workers', int('workers', v.workers));
  set('workerCmd', v['worker-cmd']);
  if (v['worker-cmd'] !== undefined && v.runtime === undefined) set('runtime', 'byo');
  set('workerImage', v['worker-container']);
  if (v['worker-container'] !== undefined && v.runtime === undefined) set('runtime', 'container');
  set('agentName', v['agent-name']);
  if (v['agent-name'] !== undefined && v.runtime === undefined) set('runtime', 'deployed');
  set('loadFunc', v['load-func']);
  set('arrival', v.arrival);
  const step = int('ramp-step', v['ramp-step']);
  if (step !== undefined || v['ramp-every'] !== undefined) {
    overrides.ramp = { ...(step !== undefined ? { step } : {}), ...(v['ramp-every'] !== undefined ? { every: v['ramp-every'] } : {}) };
  }
  // --target is the scenario's (what is confined and sized); the rest are the model's inputs.
  const sizing = sizingInputs({
    'load-threshold': v['load-threshold'], 'peak-sessions': v['peak-sessions'], 'arrival-rate': v['arrival-rate'],
    'pod-start': v['pod-start'], 'session-length': v['session-length'],
  });
  // One threshold: the one framework workers run with is the one the sizing is judged against.
  if (v['load-threshold'] !== undefined) overrides.loadThreshold = sizing.loadThreshold;
  return {
    name: parsed.positionals[0] ?? null,
    overrides,
    speech: v.speech ?? null,
    out: v.out ?? null,
    netns: !v['no-netns'],
    confine: !v['no-confine'],
    ...(v.human ? { human: 'human' as const } : v['human-probe'] ? { human: 'probe' as const } : {}),
    sizing,
    ...(v.shard !== undefined ? { shard: parseShard(v.shard) } : {}),
    ...(v['start-at'] !== undefined ? { startAt: parseStartAt(v['start-at']) } : {}),
    shardToLog: v['shard-to-log'] ?? false,
    ...agentsSourceOf(v['agents-prometheus'], v['agents-match'], v['scrape-interval']),
    help: v.help ?? false,
  };
}

export const SCENARIO_HELP = `usage: npm run scenario NAME -- [flags]
       (or: node dist/harness/cli/main.js scenario NAME [flags])

Runs a load scenario against a LiveKit server and writes a report.
The server is LIVEKIT_URL (+ LIVEKIT_API_KEY, LIVEKIT_API_SECRET) when set; otherwise a local
livekit-server the harness starts (and builds once with Go if it is not installed).

flags (each overrides the scenario file):
  --sessions N              sessions at full load (one user + one agent each)
  --duration D              total run length, ramp included (e.g. 90s, 4m)
  --ramp-step N             sessions added at each ramp step
  --ramp-every D            time between ramp steps
  --warmup D                time after the last join left out of the measurement
  --users-per-generator N   synthetic users hosted by one generator process
  --join-concurrency N      sessions joining at once
  --ramp                    judge each ramp step and stop at the first where quality breaks (the knee);
                            --sessions is then a cap
  --target CcGg             the host to size for, e.g. 4c8g (default)
  --tone-hz N               frequency of the agents' tone (default 440)
  --speech FILE.wav         your own speech (48 kHz mono 16-bit); FILE.segments.json beside it is its ground truth
  --runtime R               agent runtime: bare (one rtc-node agent process per session, default),
                            framework (@livekit/agents 1.9 workers), python (LiveKit Agents for Python
                            1.8.9 workers, installed on first use), byo (your worker, see --worker-cmd),
                            container (see --worker-container), deployed (see --agent-name)
  --workers N               worker processes in the pool (framework, byo; default 1)
  --worker-cmd "CMD"        start your own worker with this shell command (implies --runtime byo); it gets
                            LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_AGENT_NAME, VOICELOAD_HEALTH_PORT
  --worker-container IMAGE  run each worker as a podman container of IMAGE with the target's CPU and memory
                            limits, in the run's namespace (implies --runtime container; docs/containers.md)
  --agent-name NAME         dispatch each room to workers you deployed (e.g. k8s/deployment.yaml) that registered
                            under NAME with the server of LIVEKIT_URL; starts no worker (implies --runtime deployed)
  --load-func F             framework workers' load: cpu (LiveKit's default) or jobs:N (active jobs / N)
  --arrival A               worker runtimes: step (each ramp step at once, default) or poisson:R/s
                            (sessions arrive as a Poisson process, R per second on average)
  --out DIR                 report folder (default reports/<scenario>-<time>); must be new or empty
  --no-confine              do not partition the host (agents on CPUs of their own, the rest on the others)
                            nor, on a host bigger than the target, put the agents in a cgroup of its size
  --human                   one more room with its own agent, for you: prints a join link to a local page
                            (hear the agent's tone, speak to its VAD, see your connection's figures)
  --human-probe             the same room joined by headless Chromium (/usr/bin/chromium, or VOICELOAD_CHROMIUM)
                            playing the speech as its microphone; the report says what it heard
  --shard i/N               run shard i (0-based) of N: session g of the scenario is shard g mod N's; needs
                            LIVEKIT_URL (all shards share one server); writes shard.json for \`voiceload merge\`
  --start-at T              start at T (ISO time or epoch ms), not at once: give every shard the same T
                            so their ramps line up
  --shard-to-log            with --shard: also print the shard result as one line on stdout, for
                            \`kubectl logs POD > shard-i.log\` and \`voiceload merge shard-*.log\`
  --agents-prometheus URL   read the agents' CPU and memory from Prometheus, not /proc (workers measured as
                            the cluster does); with --agents-match process-exporter:GROUP (workers on VMs)
                            or cadvisor:SELECTOR (worker pods, e.g. namespace="agents",pod=~"worker-.*"),
                            and --scrape-interval D, the interval Prometheus scrapes them at
  --no-netns                do not isolate the local server in a private network namespace (no root needed;
                            the server offers loopback candidates only, but peers may still use this
                            host's other addresses: the run is then marked invalid)

${SIZING_HELP.split('\n').filter((l) => !l.trimStart().startsWith('--target')).join('\n')}`;
