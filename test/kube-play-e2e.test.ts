/**
 * The generated Kubernetes manifest, run: k8s/deployment.yaml from `voiceload report` is checked
 * against the Kubernetes schemas, given the worker image built from the Dockerfile, an agent name and
 * a Secret with a throwaway key, and played with `podman kube play` on an internal network the test
 * creates (no route out). LiveKit is a second pod on that network: a real livekit-server in its
 * network namespace, listening on its address there. The worker pod starts, its readiness probe
 * (registered with LiveKit) and liveness probe pass, and the cgroup limits the worker sees are the
 * manifest's resources.limits. Then voice-2 runs from the LiveKit pod's namespace as a user would run
 * it against a cluster: LIVEKIT_URL and the keys in the environment, `--agent-name` the manifest's.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { renderServerConfig } from '../harness/server/config.js';
import { findServerBinary } from '../harness/server/provision.js';
import { sleep } from '../harness/common/wait.js';
import { MIB, linearRamp, makeResult, samplesOf } from './support/capacity-run.js';
import { buildImages, podman, ROOT, run, WORKER_IMAGE } from './support/podman.js';
import { CLI } from './support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-kube-'));
const PORT = 7880;
const NETWORK = 'voiceload-kube-test';
/** The pod that stands for the user's LiveKit: its namespace holds livekit-server (and the load side). */
const LIVEKIT_POD = 'voiceload-kube-livekit';
/** The agent name the played Deployment gives its worker (not the image's default). */
const AGENT_NAME = `kube-play-${randomBytes(3).toString('hex')}`;
let server: ChildProcess | null = null;
let manifest: Record<string, any>;
/** Set once the worker pod is up and registered: what the voice-2 test runs against. */
let played: { netns: string; ip: string; url: string; key: string; secret: string; container: string } | null = null;

/** Checks a Deployment against the Kubernetes schema (throws what Kubernetes would refuse). */
function validateDeployment(doc: unknown): void {
  new Deployment(doc as ConstructorParameters<typeof Deployment>[0]).validate();
}

/** The LiveKit pod, on the internal network: its infra container's namespace path and its address there. */
async function startLivekitPod(): Promise<{ netns: string; ip: string }> {
  await podman(['pod', 'rm', '-f', LIVEKIT_POD]);
  const made = await podman(['pod', 'create', '--network', NETWORK, '--name', LIVEKIT_POD]);
  assert.equal(made.code, 0, made.stderr);
  const started = await podman(['pod', 'start', LIVEKIT_POD]);
  assert.equal(started.code, 0, started.stderr);
  const infra = (await podman(['pod', 'inspect', '--format', '{{.InfraContainerID}}', LIVEKIT_POD])).stdout.trim();
  const pid = Number((await podman(['inspect', '--format', '{{.State.Pid}}', infra])).stdout.trim());
  const ip = (await podman(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', infra])).stdout.trim();
  assert.ok(pid > 0 && /^\d+\.\d+\.\d+\.\d+$/.test(ip), `no infra container or address for pod ${LIVEKIT_POD}: pid ${pid}, ip '${ip}'`);
  return { netns: `/proc/${pid}/ns/net`, ip };
}

/** livekit-server in the LiveKit pod's namespace, signalling and media on its address there; resolves once it listens. */
async function startServer(netns: string, ip: string, key: string, secret: string): Promise<void> {
  const bin = await findServerBinary();
  assert.ok(bin, 'livekit-server is not built; run `voiceload provision` or any e2e test first');
  const config = path.join(dir, 'server.yaml');
  writeFileSync(config, renderServerConfig({ apiKey: key, apiSecret: secret, signalPort: PORT, tcpPort: 7881, udpPort: 7882, mediaAddrs: [ip], signalAddrs: [ip] }), { mode: 0o600 });
  // Its log to a file: a pipe nobody reads would stall the server once a run fills it.
  server = spawn('nsenter', [`--net=${netns}`, '--', bin, '--config', config], { stdio: ['ignore', 'ignore', openSync(path.join(dir, 'server.log'), 'w')] });
  for (let i = 0; i < 60; i++) {
    const up = await run('nsenter', [`--net=${netns}`, '--', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${PORT}`]);
    if (up.code === 0) return;
    await sleep(500);
  }
  throw new Error('livekit-server did not listen in the LiveKit pod');
}

before(async () => {
  await buildImages();
  // A run folder whose fit is deployable (6 steady steps up to 30 sessions, sized for 4c8g): only such a
  // fit gets a Deployment (capacity/recommend); the recorded 2-core ramp gives an estimate, not a manifest.
  const result = makeResult({ steps: linearRamp({ counts: [5, 10, 15, 20, 25, 30], base: 0.1, perSession: 0.1, memBase: 200 * MIB, memPer: 100 * MIB }) });
  mkdirSync(path.join(dir, 'run'));
  writeFileSync(path.join(dir, 'run', 'results.json'), JSON.stringify(result, null, 2));
  writeFileSync(path.join(dir, 'run', 'samples.jsonl'), samplesOf(result).map((x) => JSON.stringify(x)).join('\n') + '\n');
  const report = await run(process.execPath, [path.join(ROOT, 'dist', 'harness', 'cli', 'main.js'), 'report', path.join(dir, 'run')]);
  assert.equal(report.code, 0, report.stderr);
  manifest = parseAllDocuments(readFileSync(path.join(dir, 'run', 'k8s', 'deployment.yaml'), 'utf8'))[0]!.toJS() as Record<string, any>;
}, { timeout: 1_800_000 });

after(async () => {
  await podman(['kube', 'down', path.join(dir, 'play.yaml')]);
  server?.kill('SIGTERM');
  await podman(['pod', 'rm', '-f', LIVEKIT_POD]);
  await podman(['secret', 'rm', 'livekit-credentials']);
  await podman(['network', 'rm', '-f', NETWORK]);
  await sleep(1000);
  rmSync(dir, { recursive: true, force: true });
});

test('the generated Deployment is valid for Kubernetes; one it would refuse fails the check', () => {
  validateDeployment(manifest);
  const broken = structuredClone(manifest);
  broken.spec.template.spec.containers[0].resources.limits.cpu = 'two cores';
  assert.throws(() => validateDeployment(broken));
  const noName = structuredClone(manifest);
  delete noName.spec.template.spec.containers[0].name;
  assert.throws(() => validateDeployment(noName));
});

test('podman kube play of the generated Deployment: the pod starts, its probes pass, its limits are the cgroup limits', { timeout: 300_000 }, async () => {
  const key = `k${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(24).toString('hex');
  const dep = structuredClone(manifest);
  const ctr = dep.spec.template.spec.containers[0];
  ctr.image = WORKER_IMAGE;
  ctr.imagePullPolicy = 'Never';
  // The agent name, as a user names their worker's agent in their Deployment (@livekit/agents reads it from the environment).
  ctr.env.push({ name: 'LIVEKIT_AGENT_NAME', value: AGENT_NAME });
  // The manifest declares its health port, which podman maps only on a bridge: an --internal one
  // the test creates, with no route out (--network none refuses the port).
  await podman(['network', 'rm', '-f', NETWORK]);
  const net = await podman(['network', 'create', '--internal', NETWORK]);
  assert.equal(net.code, 0, net.stderr);
  const livekit = await startLivekitPod();
  const url = `ws://${livekit.ip}:${PORT}`;
  // The Secret the manifest names, as podman 4.3's kube play reads one: a podman secret holding a
  // JSON map of base64 values (a `kind: Secret` document is stored in a form it cannot read back).
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  writeFileSync(path.join(dir, 'secret.json'), JSON.stringify({ url: b64(url), 'api-key': b64(key), 'api-secret': b64(secret) }), { mode: 0o600 });
  await podman(['secret', 'rm', 'livekit-credentials']);
  const made = await podman(['secret', 'create', 'livekit-credentials', path.join(dir, 'secret.json')]);
  assert.equal(made.code, 0, made.stderr);
  writeFileSync(path.join(dir, 'play.yaml'), stringify(dep));
  const play = await podman(['kube', 'play', '--network', NETWORK, path.join(dir, 'play.yaml')]);
  assert.equal(play.code, 0, play.stderr + play.stdout);
  // The worker retries its connection until the server is up, as it would while LiveKit restarts.
  await startServer(livekit.netns, livekit.ip, key, secret);
  // podman names a Deployment's container <deployment>-pod-<i>-<container>.
  const name = (await podman(['ps', '--format', '{{.Names}}'])).stdout.split('\n').find((n) => n.startsWith(`${dep.metadata.name}-pod-`) && n.endsWith(`-${ctr.name}`));
  assert.ok(name, 'no container of the pod is running');
  // The probes, as the kubelet runs them: readiness `/` (connected to LiveKit), liveness `/worker`.
  let ready = false;
  for (let i = 0; i < 60 && !ready; i++) {
    ready = (await podman(['exec', name, 'curl', '-fsS', `http://127.0.0.1:${ctr.readinessProbe.httpGet.port === 'health' ? 8081 : ctr.readinessProbe.httpGet.port}${ctr.readinessProbe.httpGet.path}`])).code === 0;
    if (!ready) await sleep(1000);
  }
  const logs = (await podman(['logs', name])).stdout.slice(-2000);
  assert.ok(ready, `readiness probe never passed: ${logs}`);
  const alive = await podman(['exec', name, 'curl', '-fsS', `http://127.0.0.1:8081${ctr.livenessProbe.httpGet.path}`]);
  assert.equal(alive.code, 0, alive.stderr);
  const limits = await podman(['exec', name, 'node', '-e', "import('/app/dist/harness/sampling/container-limits.js').then((m) => console.log(JSON.stringify(m.readCgroupLimits())))"]);
  const seen = JSON.parse(limits.stdout) as { cpuCores: number; memoryBytes: number };
  const cpu = String(ctr.resources.limits.cpu);
  assert.equal(seen.cpuCores, cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu));
  assert.equal(seen.memoryBytes, Number(String(ctr.resources.limits.memory).replace(/Mi$/, '')) * 1024 ** 2);
  played = { netns: livekit.netns, ip: livekit.ip, url, key, secret, container: name };
});

test('a short voice-2 against the played Deployment: the pod worker takes the jobs, VAD finds the speech', { timeout: 300_000 }, async (t) => {
  if (played === null) return t.skip('the Deployment did not come up (see the test before)');
  const { netns, ip, url, key, secret, container } = played;
  const out = path.join(dir, 'voice-2');
  // As a user runs it against their cluster's LiveKit: the server and keys in the environment (never
  // argv), the agent name their Deployment registers. The load side runs in the LiveKit pod's
  // namespace: everything it sends goes to addresses of the network this test made.
  const env = { ...process.env, LIVEKIT_URL: url, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret };
  const ran = await run('nsenter', [`--net=${netns}`, '--', process.execPath, CLI, 'scenario', 'voice-2', '--agent-name', AGENT_NAME, '--out', out], 240_000, env);
  assert.ok(!(ran.stdout + ran.stderr).includes(secret), 'the API secret was printed');
  assert.equal(ran.code, 0, `exit ${ran.code}\n${ran.stderr.slice(-3000)}`);
  const r = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.equal(r.valid, true, r.invalidReasons.join('; '));
  assert.deepEqual(r.sessions, { requested: 2, joined: 2 });
  assert.ok(r.qos.vad.segmentsDetected > 0, 'VAD found none of the fixture\'s speech');
  assert.equal(r.qos.agentAudio.sessionsHearingTone, 2, 'the users did not hear the agents\' tone');
  // The users' media went to the LiveKit pod's address on the test's network, nowhere else.
  assert.ok(r.network.candidateAddresses.length > 0);
  for (const a of r.network.candidateAddresses) assert.equal(a, ip, `a session used ${a}`);
  // No worker of the run's own: every agent came from the pod, the only worker registered under this name.
  assert.equal(r.workers, undefined);
  assert.equal(r.perSession.cpuCores, null);
  assert.match(r.perSession.basis, /^not measured: the agents ran in workers deployed apart from this run/);
  assert.match(readFileSync(path.join(out, 'sizing.md'), 'utf8'), /No worker size can be derived from this run: the agents were not measured/);
  const logs = await podman(['logs', container]);
  const log = logs.stdout + logs.stderr;
  const lines = log.split('\n').flatMap((l) => { try { return [JSON.parse(l) as { msg?: string; agentName?: string }]; } catch { return []; } });
  assert.equal(lines.filter((l) => l.msg === 'registered worker' && l.agentName === AGENT_NAME).length, 1, log.slice(-2000));
  const jobs = lines.filter((l) => l.msg === 'received job request' && l.agentName === AGENT_NAME).length;
  assert.ok(jobs >= 2, `the pod's worker was offered ${jobs} job(s), not every session's: ${log.slice(-2000)}`);
  const v = r.qos.vad;
  t.diagnostic(`sessions ${r.sessions.joined}/${r.sessions.requested}; jobs offered to the pod's worker ${jobs}; VAD ${v.segmentsDetected}/${v.segmentsExpected} segments, onset lag p50 ${v.onsetLagMs.p50?.toFixed(0)} ms, p95 ${v.onsetLagMs.p95?.toFixed(0)} ms`);
});
