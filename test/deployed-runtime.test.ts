/**
 * The deployed runtime's pieces, without a server: `--agent-name` and its scenario key, the agent's
 * measurements passed on by its user (a deployed worker has no report socket), and a per-session
 * cost that is not measured when the agents ran off this host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSizingInputs } from '../harness/capacity/inputs.js';
import { buildCapacityModel } from '../harness/capacity/model.js';
import { parseScenarioArgs } from '../harness/cli/args.js';
import { renderSizingMd } from '../harness/report/sizing-md.js';
import { assembleResult } from '../harness/run/assemble.js';
import { validateScenario } from '../harness/scenario/schema.js';
import { SessionBook } from '../harness/sessions/book.js';
import { parseAgentMessage } from '../harness/sessions/ipc.js';
import { linearRamp, makeResult, MIB, samplesOf } from './support/capacity-run.js';
import { shardRun } from './support/shard-input.js';

test('--agent-name NAME implies the deployed runtime, with no worker of its own; a bad pairing is a one-line usage error', () => {
  const flags = parseScenarioArgs(['voice-2', '--agent-name', 'my-agent']);
  assert.equal(flags.overrides.agentName, 'my-agent');
  assert.equal(flags.overrides.runtime, 'deployed');
  const s = validateScenario({ name: 'n', ...flags.overrides }, 'f.ts');
  assert.equal(s.pool.runtime, 'deployed');
  assert.equal(s.pool.agentName, 'my-agent');
  assert.equal(s.pool.workers, 0);
  assert.throws(() => validateScenario({ name: 'n', runtime: 'deployed' }, 'f.ts'), /pass --agent-name NAME/);
  assert.throws(() => validateScenario({ name: 'n', runtime: 'framework', agentName: 'a' }, 'f.ts'), /must be 'deployed', not 'framework'/);
  assert.throws(() => validateScenario({ name: 'n', agentName: 'a', workers: 2 }, 'f.ts'), /scale the Deployment instead/);
  assert.throws(() => validateScenario({ name: 'n', agentName: '--rm' }, 'f.ts'), /'agentName' must be an agent name/);
  assert.throws(() => validateScenario({ name: 'n', agentName: 'a', drill: { kind: 'rollout', at: '5s' } }, 'f.ts'), /need runtime/);
});

test("an agent's data message is read only when it is one of the agent's messages", () => {
  const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
  assert.deepEqual(parseAgentMessage(enc({ type: 'vad', kind: 'start', at: 5, audioMs: 1000 })), { type: 'vad', kind: 'start', at: 5, audioMs: 1000 });
  assert.equal(parseAgentMessage(enc({ type: 'job', session: 1 })), null);
  assert.equal(parseAgentMessage(enc(['vad'])), null);
  assert.equal(parseAgentMessage(new TextEncoder().encode('not json')), null);
});

test('what the agent sent its user lands in the session as if the agent had reported it', () => {
  const book = new SessionBook();
  book.add(0, 'room-0');
  book.add(1, 'room-1');
  book.fromGenerator({ type: 'user-agent-report', index: 1, msg: { type: 'joined', at: 10 } });
  book.fromGenerator({ type: 'user-agent-report', index: 1, msg: { type: 'vad', kind: 'start', at: 20, audioMs: 0 } });
  book.fromGenerator({ type: 'user-agent-report', index: 1, msg: { type: 'vad', kind: 'end', at: 30, audioMs: 0 } });
  const [a, b] = book.all();
  assert.deepEqual([a!.agentJoinedAt, a!.vadStarts], [null, []]);
  assert.deepEqual([b!.agentJoinedAt, b!.vadStarts, b!.vadEnds], [10, [20], [30]]);
});

test('agents that ran elsewhere have no per-session cost here, unless read from Prometheus', () => {
  const { file, samples } = shardRun({ index: 0, count: 1, totalSessions: 4 });
  const input = { ...file.input, samples };
  const runtime = { agentsElsewhere: 'the agents ran in workers deployed apart from this run', basisNote: 'deployed runtime' };
  const here = assembleResult(input, { runtime, human: null });
  assert.deepEqual([here.perSession.cpuCores, here.perSession.pssBytes, here.perSession.rssBytes], [null, null, null]);
  assert.equal(here.perSession.basis, 'not measured: the agents ran in workers deployed apart from this run; deployed runtime');
  assert.equal(here.agentsElsewhere, 'the agents ran in workers deployed apart from this run');
  const remote = assembleResult(input, { runtime, human: null, agentsReadRemotely: true });
  assert.ok((remote.perSession.cpuCores ?? 0) > 0, remote.perSession.basis);
  assert.equal(remote.agentsElsewhere, undefined);
});

test('nothing is sized from a run whose agents were not measured: their zeros are not a cost', () => {
  // A ramp that sizes a deployable worker when its agents were measured...
  const measured = makeResult({ steps: linearRamp({ counts: [5, 10, 15, 20, 25, 30], base: 0.1, perSession: 0.1, memBase: 200 * MIB, memPer: 100 * MIB }) });
  assert.ok(buildCapacityModel(measured, defaultSizingInputs()).plan);
  // ...sizes nothing once they ran elsewhere, and says why.
  const elsewhere = { ...measured, agentsElsewhere: 'the agents ran in workers deployed apart from this run' };
  const m = buildCapacityModel(elsewhere, defaultSizingInputs());
  assert.equal(m.plan ?? null, null);
  assert.equal(m.cpu, null);
  assert.ok(m.warnings.some((w) => w.startsWith('the agents were not measured (the agents ran in workers deployed apart')), m.warnings.join('\n'));
  const md = renderSizingMd({ result: elsewhere, samples: samplesOf(elsewhere), model: m });
  assert.match(md, /No worker size can be derived from this run: the agents were not measured/);
});
