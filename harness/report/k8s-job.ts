/**
 * The manifests of a distributed run (`voiceload k8s NAME --shards N`), pure: options in, YAML out.
 * An Indexed Job runs N generator pods, pod i running `scenario NAME --shard i/N` from
 * JOB_COMPLETION_INDEX, all waiting for one start instant so their ramps line up; each prints its
 * shard result as one line to its log, where a collector allowed only to read pods and their logs
 * picks it up for `voiceload merge`. The pods themselves get no API access at all.
 */
import { Document } from 'yaml';

/** What the manifests are made from. */
export interface DistributedRunSpec {
  scenario: string;
  shards: number;
  /** Epoch ms every shard starts at. */
  startAt: number;
  /** Seconds after which Kubernetes stops the Job: the wait for the start, the run, and a margin. */
  deadlineS: number;
  image: string;
  namespace: string;
  /** Each generator pod's CPU and memory request (= limit, so the pod is Guaranteed and measured alone). */
  cpu: string;
  memory: string;
}

/** Names shared by the manifests. */
export const JOB_NAMES = { secret: 'voiceload-livekit', runnerAccount: 'voiceload-shard', collectorAccount: 'voiceload-collector', collectorRole: 'voiceload-collector' } as const;

const PLAIN = { aliasDuplicateObjects: false } as const;

function jobName(spec: DistributedRunSpec): string {
  return `voiceload-${spec.scenario.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 52);
}

function labels(spec: DistributedRunSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'voiceload', 'voiceload/run': jobName(spec) };
}

function secretEnv(name: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: JOB_NAMES.secret, key } } };
}

function shardContainer(spec: DistributedRunSpec) {
  // The shell expands JOB_COMPLETION_INDEX (set by the Job controller in every pod of an Indexed Job).
  // --no-confine: the pod's own limits are the confinement; it may not make cgroups itself.
  const run = `exec node dist/harness/cli/main.js scenario ${spec.scenario} --shard "$JOB_COMPLETION_INDEX/${spec.shards}" ` +
    `--start-at "$VOICELOAD_START_AT" --out "/results/shard-$JOB_COMPLETION_INDEX" --shard-to-log --no-confine`;
  return {
    name: 'shard',
    image: spec.image,
    command: ['sh', '-c', run],
    env: [
      { name: 'VOICELOAD_START_AT', value: new Date(spec.startAt).toISOString() },
      secretEnv('LIVEKIT_URL', 'url'), secretEnv('LIVEKIT_API_KEY', 'api-key'), secretEnv('LIVEKIT_API_SECRET', 'api-secret'),
    ],
    resources: { requests: { cpu: spec.cpu, memory: spec.memory }, limits: { cpu: spec.cpu, memory: spec.memory } },
    volumeMounts: [{ name: 'results', mountPath: '/results' }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

/** The Indexed Job: N pods, one shard each, none retried (a late re-run shard would not line up). */
export function jobManifest(spec: DistributedRunSpec): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(spec), namespace: spec.namespace, labels: labels(spec) },
    spec: {
      completionMode: 'Indexed',
      completions: spec.shards,
      parallelism: spec.shards,
      backoffLimit: 0,
      activeDeadlineSeconds: spec.deadlineS,
      template: {
        metadata: { labels: labels(spec) },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: JOB_NAMES.runnerAccount,
          automountServiceAccountToken: false,
          containers: [shardContainer(spec)],
          volumes: [{ name: 'results', emptyDir: {} }],
        },
      },
    },
  };
}

/** The Secret the shards read LiveKit's URL and keys from: placeholders, filled by the operator. */
export function secretManifest(spec: DistributedRunSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: JOB_NAMES.secret, namespace: spec.namespace, labels: labels(spec) },
    type: 'Opaque',
    stringData: { url: 'wss://your-livekit.example.com', 'api-key': 'REPLACE_ME', 'api-secret': 'REPLACE_ME' },
  };
}

/**
 * Least privilege: the shard pods' account has no Role (and no token mounted); the collector's
 * Role may only read pods (to find the Job's) and their logs (the shard results), in this namespace.
 */
export function rbacManifests(spec: DistributedRunSpec): Record<string, unknown>[] {
  const meta = (name: string) => ({ name, namespace: spec.namespace, labels: labels(spec) });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(JOB_NAMES.runnerAccount), automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(JOB_NAMES.collectorAccount) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(JOB_NAMES.collectorRole),
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(JOB_NAMES.collectorRole),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: JOB_NAMES.collectorRole },
      subjects: [{ kind: 'ServiceAccount', name: JOB_NAMES.collectorAccount, namespace: spec.namespace }],
    },
  ];
}

function yamlDocs(objects: Record<string, unknown>[], comment: string): string {
  return objects.map((o, i) => {
    const doc = new Document(o, PLAIN);
    if (i === 0) doc.commentBefore = comment;
    return String(doc);
  }).join('---\n');
}

/** The three files: job.yaml, secret.yaml, rbac.yaml. */
export function renderDistributedRun(spec: DistributedRunSpec): { job: string; secret: string; rbac: string } {
  const when = new Date(spec.startAt).toISOString();
  return {
    job: yamlDocs([jobManifest(spec)], ` voiceload ${spec.scenario} over ${spec.shards} generator pods, all starting at ${when}.\n Apply it before then (re-render with voiceload k8s for a later start); collect with docs/distributed.md.`),
    secret: yamlDocs([secretManifest(spec)], ' Fill in LiveKit\'s URL and keys before applying, or create it instead:\n kubectl create secret generic voiceload-livekit --from-literal=url=... --from-literal=api-key=... --from-literal=api-secret=...'),
    rbac: yamlDocs(rbacManifests(spec), ' The shard pods get no API access; the collector may read pods and their logs, nothing else.'),
  };
}
