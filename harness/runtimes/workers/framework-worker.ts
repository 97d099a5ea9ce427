/**
 * The `framework` runtime's worker process, started the way LiveKit's deployment page starts one:
 * `node framework-worker.js start` → @livekit/agents' `cli.runApp` in production mode. It registers
 * with the LiveKit server under LIVEKIT_AGENT_NAME (explicit dispatch), serves its health check
 * (`/` and `/worker`) on VOICELOAD_HEALTH_PORT, forks job processes that run framework-agent.js,
 * drains on SIGINT/SIGTERM. Like any LiveKit worker it needs LIVEKIT_URL, LIVEKIT_API_KEY and
 * LIVEKIT_API_SECRET in its environment; its job processes inherit them (the framework forks them
 * with the worker's environment and hands them the key pair with each job).
 *
 * voiceload adds only observation: the load function is wrapped so each value the worker reports to
 * the server is also sent to the harness, and each job request is noted with the load at that time.
 */
import { cli, ServerOptions, type AgentServer, type JobRequest } from '@livekit/agents';
import { fileURLToPath } from 'node:url';
import { epochNow } from '../../media/clock.js';
import { processAlive } from '../../proc/tree.js';
import { ReportClient } from './channel.js';
import { WORKER_ENV, type DispatchMeta } from './messages.js';

const env = process.env;
const worker = Number(env[WORKER_ENV.workerIndex] ?? 0);
const report = new ReportClient(env[WORKER_ENV.reportSocket]);
let lastLoad: number | null = null;
/** The running server, known from the first load measurement; the request function gets no handle on it. */
let server: AgentServer | null = null;

/** Jobs accepted but not yet running (launching), by job id, with when they were accepted. */
const launching = new Map<string, number>();
const LAUNCH_WINDOW_MS = 15_000;

/** Jobs this worker holds now: running, plus accepted and still launching (the framework counts only the former). */
function heldJobs(): number {
  const running = new Set(server?.activeJobs.map((j) => j.job.id) ?? []);
  const now = performance.now();
  for (const [id, at] of launching) if (running.has(id) || now - at > LAUNCH_WINDOW_MS) launching.delete(id);
  return running.size + launching.size;
}

/**
 * With VOICELOAD_REFUSE_WHEN_FULL=1 the request function refuses an offer when the worker's own load,
 * counted now (jobs:N: held jobs / N; cpu: its last measurement), is at or over its threshold, so
 * the server must route the job to another worker. LiveKit's default request function accepts all.
 */
function fullNow(): boolean {
  if (env[WORKER_ENV.refuseWhenFull] !== '1') return false;
  const m = /^jobs:(\d+)$/.exec(loadSpec);
  const load = m ? heldJobs() / Number(m[1]) : lastLoad;
  return load !== null && load >= opts.loadThreshold;
}

/** `jobs:N`: active jobs over N, so a threshold of 1 means "at most N sessions". */
function jobsLoad(spec: string): ((w: AgentServer) => Promise<number>) | null {
  const m = /^jobs:(\d+)$/.exec(spec);
  if (!m) return null;
  const max = Number(m[1]);
  return async (w) => w.activeJobs.length / max;
}

const loadSpec = env[WORKER_ENV.loadFunc] ?? 'cpu';
const opts = new ServerOptions({
  agent: fileURLToPath(new URL('./framework-agent.js', import.meta.url)),
  ...(loadSpec === 'cpu' ? {} : { loadFunc: jobsLoad(loadSpec) ?? undefined }),
  loadThreshold: env[WORKER_ENV.loadThreshold] ? Number(env[WORKER_ENV.loadThreshold]) : undefined,
  numIdleProcesses: env[WORKER_ENV.idleProcesses] ? Number(env[WORKER_ENV.idleProcesses]) : undefined,
  host: env[WORKER_ENV.healthHost] ?? '127.0.0.1',
  port: Number(env[WORKER_ENV.healthPort] ?? 8081),
  requestFunc: async (req: JobRequest) => {
    let meta: DispatchMeta | null = null;
    try {
      meta = JSON.parse(req.job.metadata) as DispatchMeta;
    } catch {
      // not dispatched by voiceload
    }
    const accept = meta !== null && !fullNow();
    report.send({ type: 'request', worker, at: epochNow(), session: meta?.session ?? -1, load: lastLoad, activeJobs: server?.activeJobs.length ?? null, accepted: accept });
    if (!meta || !accept) return req.reject();
    launching.set(req.id, performance.now());
    // The identity the user listens for; the framework stamps the agent name as an attribute.
    await req.accept(meta.agentIdentity, meta.agentIdentity);
  },
});

// The server-facing load function is LiveKit's own (CPU by default); we only watch what it says.
const measure = opts.loadFunc;
opts.loadFunc = async (w: AgentServer) => {
  server = w;
  const load = await measure(w);
  lastLoad = load;
  report.send({ type: 'load', worker, at: epochNow(), load, activeJobs: w.activeJobs.length });
  return load;
};

if (!env[WORKER_ENV.reportSocket]) process.stderr.write('framework-worker: no VOICELOAD_REPORT_SOCKET; running without reporting\n');

// Started by the harness in its own process group, it would outlive a harness killed outright:
// when the harness is gone, it stops as it would on SIGTERM (drain, then exit), once. Without the
// harness's pid (a container or a pod, where it may be pid 1 with parent 0) it watches its parent.
const harness = Number(env[WORKER_ENV.harnessPid] ?? 0);
const parent = process.ppid;
const watch = setInterval(() => {
  if (harness > 0 ? processAlive(harness) : process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, 1000).unref();

cli.runApp(opts);
