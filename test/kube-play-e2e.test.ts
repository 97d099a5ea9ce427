/**
 * The generated Kubernetes manifest, run: k8s/deployment.yaml from `voiceload report` is checked
 * against the Kubernetes schemas, given the worker image built from the Dockerfile and a Secret
 * with a throwaway key, and played with `podman kube play` on an internal network (no route out); a real
 * livekit-server joins the pod's namespace. The pod starts, its readiness probe (registered with LiveKit) and liveness probe
 * pass, and the cgroup limits the worker sees are the manifest's resources.limits.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const dir = mkdtempSync(path.join(os.tmpdir(), 'vl-kube-'));
const PORT = 7880;
const NETWORK = 'voiceload-kube-test';
let server: ChildProcess | null = null;
let manifest: Record<string, any>;

/** Checks a Deployment against the Kubernetes schema (throws what Kubernetes would refuse). */
function validateDeployment(doc: unknown): void {
  new Deployment(doc as ConstructorParameters<typeof Deployment>[0]).validate();
}

/**
 * livekit-server in the pod's own network namespace (an internal network: no route out), started once the pod holds that namespace; resolves once it listens.
 */
async function startServerInPod(pod: string, key: string, secret: string): Promise<void> {
  const bin = await findServerBinary();
  assert.ok(bin, 'livekit-server is not built; run `voiceload provision` or any e2e test first');
  const infra = (await podman(['pod', 'inspect', '--format', '{{.InfraContainerID}}', pod])).stdout.trim();
  const pid = Number((await podman(['inspect', '--format', '{{.State.Pid}}', infra])).stdout.trim());
  assert.ok(pid > 0, `no infra container for pod ${pod}`);
  const config = path.join(dir, 'server.yaml');
  writeFileSync(config, renderServerConfig({ apiKey: key, apiSecret: secret, signalPort: PORT, tcpPort: 7881, udpPort: 7882, mediaAddrs: [] }), { mode: 0o600 });
  server = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', bin, '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 60; i++) {
    const up = await run('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${PORT}`]);
    if (up.code === 0) return;
    await sleep(500);
  }
  throw new Error('livekit-server did not listen in the pod');
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
  await podman(['secret', 'rm', 'livekit-credentials']);
  await podman(['network', 'rm', '-f', NETWORK]);
  server?.kill('SIGTERM');
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
  // The Secret the manifest names, as podman 4.3's kube play reads one: a podman secret holding a
  // JSON map of base64 values (a `kind: Secret` document is stored in a form it cannot read back).
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  writeFileSync(path.join(dir, 'secret.json'), JSON.stringify({ url: b64(`ws://127.0.0.1:${PORT}`), 'api-key': b64(key), 'api-secret': b64(secret) }), { mode: 0o600 });
  await podman(['secret', 'rm', 'livekit-credentials']);
  const made = await podman(['secret', 'create', 'livekit-credentials', path.join(dir, 'secret.json')]);
  assert.equal(made.code, 0, made.stderr);
  writeFileSync(path.join(dir, 'play.yaml'), stringify(dep));
  // The manifest declares its health port, which podman maps only on a bridge: an --internal one
  // the test creates, with no route out (--network none refuses the port).
  await podman(['network', 'rm', '-f', NETWORK]);
  const net = await podman(['network', 'create', '--internal', NETWORK]);
  assert.equal(net.code, 0, net.stderr);
  const played = await podman(['kube', 'play', '--network', NETWORK, path.join(dir, 'play.yaml')]);
  assert.equal(played.code, 0, played.stderr + played.stdout);
  // The worker retries its connection until the server is up, as it would while LiveKit restarts.
  await startServerInPod(`${dep.metadata.name}-pod-0`, key, secret);
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
});
