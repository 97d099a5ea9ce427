/**
 * Run inside a private namespace of the test's own (scripts/netns-run.sh): Prometheus and
 * process-exporter on that namespace's loopback, then a voiceload run, in the same namespace, whose
 * agents are read from them. The run's media stays on the namespace's veth pair, so the test never
 * touches this host's other addresses (a --no-netns run on the host would).
 *
 * Usage: VL_PROM_MARKER=M node prom-run.js GROUP SCENARIO-ARGS...   (prints the run's CliRun as
 * JSON, for support/netns.ts's runInNetns). The exporter groups the processes whose command line
 * holds M, with their children: M comes in the environment so that this process and the run it
 * starts stay out of it.
 */
import { runCli } from './cli.js';
import { startPromStack } from './prometheus.js';

const marker = process.env.VL_PROM_MARKER;
const [group, ...args] = process.argv.slice(2);
if (!marker || !group || args.length === 0) {
  process.stderr.write('usage: VL_PROM_MARKER=M prom-run.js GROUP SCENARIO-ARGS...\n');
  process.exit(2);
}
const stack = await startPromStack(marker, group);
try {
  const run = await runCli([...args, '--agents-prometheus', stack.url, '--agents-match', `process-exporter:${group}`]);
  process.stdout.write(JSON.stringify(run));
} finally {
  await stack.stop();
}
