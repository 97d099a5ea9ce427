/**
 * What `merge` costs: generated shard results (test/support/shard-input.ts: real histograms,
 * per-second samples and marks) for a run of SESSIONS sessions over SHARDS shards lasting SECONDS,
 * merged in memory. Prints the shard.json size per shard, the time to parse them all, the time of
 * mergeShards and the heap it grew. Figures only, no assertions.
 *
 * usage: node dist/bench/merge-cost.js [SESSIONS [SHARDS [SECONDS]]]   (default 1000 34 240)
 */
import os from 'node:os';
import { mergeShards, type ShardRun } from '../harness/results/merge.js';
import { parseShardFile } from '../harness/results/shard.js';
import { shardRun } from '../test/support/shard-input.js';
import { benchArgs, count } from './args.js';

const [sessions, shards, seconds] = benchArgs('bench:merge', 'npm run bench:merge [-- SESSIONS [SHARDS [SECONDS]]]', () => [
  count(process.argv[2] ?? '1000', 'sessions'),
  count(process.argv[3] ?? '34', 'shards'),
  count(process.argv[4] ?? '240', 'seconds'),
]);
const generated = Array.from({ length: shards }, (_, index) => shardRun({ index, count: shards, totalSessions: sessions, seconds }));
const texts = generated.map((r) => ({ json: JSON.stringify(r.file), samples: JSON.stringify(r.samples) }));
const bytes = texts.map((t) => t.json.length + t.samples.length);

global.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const runs: ShardRun[] = texts.map((t, i) => ({ file: parseShardFile(JSON.parse(t.json), `shard-${i}`), samples: JSON.parse(t.samples) }));
const t1 = performance.now();
const merged = mergeShards(runs);
const t2 = performance.now();
const heap1 = process.memoryUsage().heapUsed;

const mb = (b: number) => (b / 1024 ** 2).toFixed(1);
process.stdout.write([
  `merge cost: ${sessions} sessions over ${shards} shards, ${seconds} s each (generated), on ${os.hostname()} (${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version})`,
  `  shard result (shard.json + samples): ${mb(Math.min(...bytes))}-${mb(Math.max(...bytes))} MB each, ${mb(bytes.reduce((a, b) => a + b, 0))} MB in all`,
  `  parse + check: ${(t1 - t0).toFixed(0)} ms; mergeShards: ${(t2 - t1).toFixed(0)} ms; heap grew ${mb(heap1 - heap0)} MB`,
  `  merged: ${merged.result.sessions.requested} sessions, ${merged.samples.length} aligned samples, ${merged.input.marks.length} marks`,
  '',
].join('\n'));
