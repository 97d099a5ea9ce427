/**
 * `voiceload k8s voice-30 --shards 3`: the manifests of a distributed run, validated offline
 * against the Kubernetes schemas shipped in kubernetes-models, and parsed by kubectl with
 * --dry-run=client --local (kubectl's `apply --dry-run=client` needs a server's API discovery
 * even in client mode, and no cluster can run here; see docs/distributed.md).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { jobManifest } from '../harness/report/k8s-job.js';
import { runCli } from './support/cli.js';
import { testDir } from './support/tmp.js';

const out = join(testDir('vl-k8s-'), 'run');
const written = runCli(['k8s', 'voice-30', '--shards', '3', '--out', out]);
const MODELS: Record<string, new (o: never) => { validate(): void }> = { Job, Secret, ServiceAccount, Role, RoleBinding };

function objects(file: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(join(out, file), 'utf8')).map((d) => d.toJS() as Record<string, any>);
}

test('voiceload k8s voice-30 --shards 3 writes a Job, a Secret and RBAC that pass the Kubernetes schemas', async () => {
  const r = await written;
  assert.equal(r.code, 0, r.stderr);
  const all = ['job.yaml', 'secret.yaml', 'rbac.yaml'].flatMap(objects);
  assert.deepEqual(all.map((o) => o.kind).sort(), ['Job', 'Role', 'RoleBinding', 'Secret', 'ServiceAccount', 'ServiceAccount']);
  for (const o of all) new MODELS[o.kind]!(o as never).validate();
});

test('the Job is Indexed, N pods at once, each running its shard from JOB_COMPLETION_INDEX at one instant', async () => {
  await written;
  const [job] = objects('job.yaml');
  assert.equal(job!.spec.completionMode, 'Indexed');
  assert.equal(job!.spec.completions, 3);
  assert.equal(job!.spec.parallelism, 3);
  const pod = job!.spec.template.spec;
  const c = pod.containers[0];
  assert.match(c.command.join(' '), /scenario voice-30 --shard "\$JOB_COMPLETION_INDEX\/3" --start-at "\$VOICELOAD_START_AT" .*--shard-to-log/);
  assert.ok(Date.parse(c.env.find((e: any) => e.name === 'VOICELOAD_START_AT').value) > Date.now());
  // The keys come from the Secret, never inline; the pod gets no API token.
  for (const name of ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET']) assert.equal(c.env.find((e: any) => e.name === name).valueFrom.secretKeyRef.name, 'voiceload-livekit');
  assert.equal(pod.automountServiceAccountToken, false);
});

test('least privilege: the collector reads pods and their logs only; the shards have no role', async () => {
  await written;
  const rbac = objects('rbac.yaml');
  const role = rbac.find((o) => o.kind === 'Role')!;
  const verbs = role.rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${res}:${v}`))).sort();
  assert.deepEqual(verbs, ['jobs:get', 'pods/log:get', 'pods:get', 'pods:list']);
  const binding = rbac.find((o) => o.kind === 'RoleBinding')!;
  assert.deepEqual(binding.subjects.map((s: any) => s.name), ['voiceload-collector']);
});

test('kubectl reads every manifest offline (--dry-run=client --local)', async () => {
  await written;
  for (const f of ['job.yaml', 'secret.yaml', 'rbac.yaml']) {
    const names = execFileSync('kubectl', ['label', '--local', '--dry-run=client', '-f', join(out, f), 'voiceload/checked=yes', '-o', 'name'], { encoding: 'utf8' });
    assert.ok(names.trim().length > 0, f);
  }
});

test('the schemas catch a broken Job (so the validation above can fail)', () => {
  const job = jobManifest({ scenario: 'voice-30', shards: 3, startAt: Date.now(), deadlineS: 600, image: 'x', namespace: 'voiceload', cpu: '2', memory: '4Gi' }) as any;
  job.spec.completions = '3';
  assert.throws(() => new Job(job).validate(), /completions must be integer/);
});

test('bad input is one line and exit 2, nothing written', async () => {
  const r = await runCli(['k8s', 'voice-30', '--shards', '31', '--out', join(out, 'x')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^voiceload: --shard 0\/31: voice-30 has 30 sessions; use at most 30 shards\n$/);
  const s = await runCli(['k8s', 'voice-30', '--out', join(out, 'y')]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /--shards: give the number of generator pods/);
});
