/**
 * `voiceload k8s NAME --shards N [flags]`: writes the manifests of a distributed run (job.yaml,
 * secret.yaml, rbac.yaml; see report/k8s-job.ts) into a new folder. Everything is checked before
 * anything is written: the scenario, that it splits N ways, the flags.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../common/errors.js';
import { renderDistributedRun, type DistributedRunSpec } from '../report/k8s-job.js';
import { writeAtomic } from '../report/write.js';
import { parseDuration } from '../scenario/duration.js';
import { loadScenario } from '../scenario/load.js';
import { shardScenario } from '../scenario/shard.js';
import { prepareOutDir } from './out-dir.js';

const USAGE = `usage: voiceload k8s NAME --shards N [flags]

Writes the manifests of a distributed run of scenario NAME: an Indexed Job of N generator pods
(pod i runs shard i/N), the Secret they read LiveKit's URL and keys from, and the RBAC to collect
their results (see docs/distributed.md).
  --shards N        generator pods (each runs its share of the sessions)
  --start-in D      the pods start their run this long after now (default 3m): apply before then
  --image IMAGE     the voiceload image (default your-registry/voiceload:tag)
  --namespace NS    namespace of every object (default voiceload)
  --cpu Q           each pod's CPU request and limit (default 2)
  --memory Q        each pod's memory request and limit (default 4Gi)
  --out DIR         where to write (default reports/NAME-k8s-<time>); must be new or empty
`;

const OPTIONS = {
  shards: { type: 'string' }, 'start-in': { type: 'string' }, image: { type: 'string' }, namespace: { type: 'string' },
  cpu: { type: 'string' }, memory: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Margin past the run before Kubernetes stops the Job: start-up, the merge line, a slow drain. */
const DEADLINE_MARGIN_S = 300;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}; see k8s --help`);
  }
}

function checkName(flag: string, value: string, pattern: RegExp, example: string): string {
  if (!pattern.test(value)) throw new UsageError(`--${flag} '${value}': not a valid value, e.g. ${example}`);
  return value;
}

/** Writes the distributed run's manifests; resolves with the exit code. */
export async function k8sCommand(argv: string[], now = Date.now()): Promise<number> {
  const { values: v, positionals } = parse(argv);
  if (v.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('k8s: name one scenario: voiceload k8s NAME --shards N');
  if (v.shards === undefined || !/^[1-9]\d*$/.test(v.shards)) throw new UsageError(`--shards: give the number of generator pods, e.g. --shards 3${v.shards === undefined ? '' : ` (got '${v.shards}')`}`);
  const shards = Number(v.shards);
  const scenario = await loadScenario(positionals[0]!, {});
  shardScenario(scenario, { index: 0, count: shards });
  const startInS = parseDuration(v['start-in'] ?? '3m', '--start-in');
  const spec: DistributedRunSpec = {
    scenario: scenario.name, shards, startAt: now + startInS * 1000, deadlineS: Math.ceil(startInS + scenario.durationS + DEADLINE_MARGIN_S),
    image: v.image ?? 'your-registry/voiceload:tag',
    namespace: checkName('namespace', v.namespace ?? 'voiceload', /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'voiceload'),
    cpu: checkName('cpu', v.cpu ?? '2', /^\d+(\.\d+)?m?$/, '2 or 1500m'),
    memory: checkName('memory', v.memory ?? '4Gi', /^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/, '4Gi'),
  };
  const files = renderDistributedRun(spec);
  const { dir: out } = await prepareOutDir(v.out ?? null, `${scenario.name}-k8s`);
  for (const [name, text] of Object.entries(files)) await writeAtomic(path.join(out, `${name}.yaml`), text);
  process.stderr.write(`voiceload: ${scenario.name} over ${shards} pods starting at ${new Date(spec.startAt).toISOString()}: fill in secret.yaml, then kubectl apply -f ${out}\n`);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
