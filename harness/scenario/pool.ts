import { UsageError } from '../common/errors.js';
import { parseDuration } from './duration.js';

/**
 * Which agent runs each session: our rtc-node agent, a pool of @livekit/agents (Node) workers,
 * of LiveKit Agents for Python reference workers, of the user's own worker, of the user's worker image,
 * or workers already deployed (e.g. k8s/deployment.yaml) and registered under an agent name.
 */
export type Runtime = 'bare' | 'framework' | 'python' | 'byo' | 'container' | 'deployed';
export const RUNTIMES: readonly Runtime[] = ['bare', 'framework', 'python', 'byo', 'container', 'deployed'];

/** A drill done to one worker mid-run. */
export interface DrillSpec {
  /** rollout: SIGINT (drain); failover: SIGKILL of the worker's whole process group. */
  kind: 'rollout' | 'failover';
  /** When, in seconds since the run started. */
  atS: number;
}

/** The worker-related part of a validated scenario. */
export interface PoolSpec {
  runtime: Runtime;
  /** Worker processes (framework or byo); 0 for bare. */
  workers: number;
  /** `cpu` (LiveKit's default: host CPU) or `jobs:N` (active jobs / N). Applied to framework workers only: a byo worker sets its own. */
  loadFunc: string;
  /** LiveKit's loadThreshold: at or above it a worker reports itself full. */
  loadThreshold: number;
  /** The shell command of a byo worker. */
  workerCmd: string | null;
  /** The worker image of the container runtime. */
  workerImage?: string | null;
  /** The deployed runtime: the agent name the deployed workers registered under (rooms are dispatched to it). */
  agentName?: string | null;
  /** Each user leaves this long after joining (null: users stay to the end of the run). */
  sessionLengthS: number | null;
  /** With `sessionLength: 'A..B'`: each session's length is drawn uniformly from [sessionLengthS, this]; else null (all the same). */
  sessionLengthMaxS: number | null;
  /** How each ramp step's sessions arrive: all at once, or as a Poisson process at `ratePerS`. */
  arrival: { mode: 'step' } | { mode: 'poisson'; ratePerS: number };
  drill: DrillSpec | null;
  /** framework: the worker refuses offers while its own load is at or over the threshold (the server re-routes them). */
  refuseWhenFull: boolean;
}

/** The scenario keys this part reads (the schema's own KEYS lists them too). */
export const POOL_KEYS = ['runtime', 'workers', 'loadFunc', 'loadThreshold', 'workerCmd', 'workerImage', 'agentName', 'sessionLength', 'arrival', 'drill', 'refuseWhenFull'] as const;

/** LiveKit's production default loadThreshold (agents-js ServerOptions). */
export const LIVEKIT_LOAD_THRESHOLD = 0.7;

function bad(file: string, key: string, want: string, got: unknown): UsageError {
  return new UsageError(`${file}: '${key}' must be ${want}, got ${JSON.stringify(got)}`);
}

function parseArrival(v: unknown, file: string): PoolSpec['arrival'] {
  if (v === undefined || v === 'step') return { mode: 'step' };
  const m = typeof v === 'string' ? /^poisson:(\d+(?:\.\d+)?)\/s$/.exec(v) : null;
  if (!m || Number(m[1]) <= 0) throw bad(file, 'arrival', "'step' or 'poisson:R/s' (R sessions per second on average, e.g. poisson:0.5/s)", v);
  return { mode: 'poisson', ratePerS: Number(m[1]) };
}

/** `'20s'` (every session that long) or `'10s..30s'` (uniformly distributed lengths). */
function parseSessionLength(v: unknown, file: string): [number | null, number | null] {
  if (v === undefined) return [null, null];
  const [lo, hi, ...rest] = String(v).split('..');
  const min = parseDuration(String(lo), `${file}: 'sessionLength'`);
  if (hi === undefined) return [min, null];
  const max = parseDuration(hi, `${file}: 'sessionLength'`);
  if (rest.length || !(max > min)) throw bad(file, 'sessionLength', "a duration ('20s') or a range 'A..B' with B above A ('10s..30s')", v);
  return [min, max];
}

function parseDrill(v: unknown, file: string): DrillSpec | null {
  if (v === undefined) return null;
  const d = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || (d.kind !== 'rollout' && d.kind !== 'failover') || typeof d.at !== 'string' || Object.keys(d).some((k) => k !== 'kind' && k !== 'at')) {
    throw bad(file, 'drill', "{ kind: 'rollout' | 'failover', at: '<duration>' }", v);
  }
  return { kind: d.kind, atS: parseDuration(d.at, `${file}: 'drill.at'`) };
}

/** Validates the worker keys of a scenario spec (already checked for unknown keys) and fills defaults. */
export function validatePool(s: Record<string, unknown>, file: string): PoolSpec {
  const workerCmd = s.workerCmd ?? null;
  if (workerCmd !== null && (typeof workerCmd !== 'string' || !workerCmd.trim())) throw bad(file, 'workerCmd', 'a non-empty shell command', workerCmd);
  const workerImage = s.workerImage ?? null;
  if (workerImage !== null && (typeof workerImage !== 'string' || !/^[\w][\w.\-/:@]*$/.test(workerImage))) throw bad(file, 'workerImage', 'an image name such as registry/worker:tag', workerImage);
  const agentName = s.agentName ?? null;
  // LiveKit takes any string; these are the names a Deployment's env and a dispatch rule carry without quoting.
  if (agentName !== null && (typeof agentName !== 'string' || !/^[A-Za-z0-9][\w.\-]{0,127}$/.test(agentName))) throw bad(file, 'agentName', 'an agent name such as voiceload-agent', agentName);
  const runtime = s.runtime ?? (workerCmd ? 'byo' : workerImage ? 'container' : agentName ? 'deployed' : 'bare');
  if (runtime === 'deployed' && !agentName) throw new UsageError(`${file}: runtime 'deployed' dispatches to workers you deployed: pass --agent-name NAME (the LIVEKIT_AGENT_NAME they registered under)`);
  if (runtime !== 'deployed' && agentName) throw new UsageError(`${file}: --agent-name dispatches to workers you deployed, so the runtime must be 'deployed', not '${String(runtime)}'`);
  if (runtime === 'container' && !workerImage) throw new UsageError(`${file}: runtime 'container' needs a worker image: pass --worker-container IMAGE`);
  if (runtime !== 'container' && workerImage) throw new UsageError(`${file}: --worker-container runs your worker image, so the runtime must be 'container', not '${String(runtime)}'`);
  if (!RUNTIMES.includes(runtime as Runtime)) throw bad(file, 'runtime', `one of ${RUNTIMES.join(', ')}`, runtime);
  if (runtime === 'byo' && !workerCmd) throw new UsageError(`${file}: runtime 'byo' needs a worker command: pass --worker-cmd "node my-worker.js start"`);
  if (runtime !== 'byo' && workerCmd) throw new UsageError(`${file}: --worker-cmd runs your own worker, so the runtime must be 'byo', not '${String(runtime)}'`);
  if (runtime === 'deployed' && s.workers !== undefined) throw new UsageError(`${file}: 'workers' starts workers here; runtime 'deployed' uses the ones you deployed (scale the Deployment instead)`);
  const workers = s.workers ?? (runtime === 'bare' || runtime === 'deployed' ? 0 : 1);
  if (runtime === 'bare' && s.workers !== undefined) throw new UsageError(`${file}: 'workers' needs runtime 'framework', 'python', 'byo' or 'container' (the bare runtime runs one agent process per session, no worker)`);
  if (runtime !== 'bare' && runtime !== 'deployed' && (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > 16)) throw bad(file, 'workers', 'a whole number from 1 to 16', workers);
  const loadFunc = s.loadFunc ?? 'cpu';
  if (typeof loadFunc !== 'string' || !/^(cpu|jobs:[1-9]\d*)$/.test(loadFunc)) throw bad(file, 'loadFunc', "'cpu' or 'jobs:N' (active jobs / N)", loadFunc);
  const loadThreshold = s.loadThreshold ?? LIVEKIT_LOAD_THRESHOLD;
  if (typeof loadThreshold !== 'number' || !(loadThreshold > 0) || loadThreshold > 10) throw bad(file, 'loadThreshold', 'a number above 0 (LiveKit: 0.7)', loadThreshold);
  const [sessionLengthS, sessionLengthMaxS] = parseSessionLength(s.sessionLength, file);
  const arrival = parseArrival(s.arrival, file);
  const drill = parseDrill(s.drill, file);
  if ((runtime === 'bare' || runtime === 'deployed') && (sessionLengthS !== null || arrival.mode !== 'step' || drill)) {
    throw new UsageError(`${file}: 'sessionLength', 'arrival' and 'drill' need runtime 'framework', 'python', 'byo' or 'container'`);
  }
  if (drill && runtime !== 'framework') throw new UsageError(`${file}: drills need runtime 'framework' (a byo worker does not tell the harness which jobs it runs)`);
  if (drill && (workers as number) < 2) throw new UsageError(`${file}: a ${drill.kind} drill needs at least 2 workers (the others take the new rooms); use --workers 2`);
  const refuseWhenFull = s.refuseWhenFull ?? false;
  if (typeof refuseWhenFull !== 'boolean') throw bad(file, 'refuseWhenFull', 'true or false', refuseWhenFull);
  if (refuseWhenFull && runtime !== 'framework') throw new UsageError(`${file}: 'refuseWhenFull' configures the framework worker's request function; a byo worker decides for itself`);
  return { runtime: runtime as Runtime, workers: workers as number, loadFunc, loadThreshold, workerCmd: workerCmd as string | null, ...(workerImage ? { workerImage: workerImage as string } : {}), ...(agentName ? { agentName: agentName as string } : {}), sessionLengthS, sessionLengthMaxS, arrival, drill, refuseWhenFull };
}
