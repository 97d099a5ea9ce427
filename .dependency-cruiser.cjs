/**
 * The import rules of harness/, checked by `npm run lint:deps` (part of `npm test`).
 *
 * Layers, lowest first; a folder may import its own layer's folders and any layer below it:
 *   1. common      errors, paths, waits: imports no other folder
 *   2. platform    media, vad, sampling, server, child, proc: never a role or a scenario
 *   3. results     the data model (RunResult and its parts, stats, histograms, the metric catalogue)
 *   4. scenario    the validated scenario (its thresholds are checked against results' metrics)
 *   5. sessions    the session plumbing every runtime shares (book, generators, ipc, loop delay)
 *   6. runtimes, users, agents, human   one another's peers: they meet only through LiveKit
 *   7. capacity, gate   judgement: read results, decide
 *   8. run, report      orchestration and rendering (report never reaches into a run)
 *   9. cli         the commands: imported by nothing
 * Type-only imports count like any other, and so do circles of any length.
 */
const PLATFORM = '(media|vad|sampling|server|child|proc)';
const PARTICIPANTS = '(runtimes|users|agents|human)';
const at = (folders) => `^harness/${folders}/`;

/** A rule: modules under `from` may not import modules under `to` (both regexes of paths). */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

module.exports = {
  forbidden: [
    forbid('no-circular', 'Import circles tie modules together: arrows point down only.', { path: '^harness/' }, { circular: true }),
    forbid('not-to-unresolvable', 'An import the checker cannot resolve would hide its direction.', { path: '^harness/' }, { couldNotResolve: true }),
    forbid('no-cli', 'The commands (cli/) are the top: nothing imports them.', { path: '^harness/', pathNot: at('cli') }, { path: at('cli') }),
    forbid('common-is-the-bottom', 'common/ imports no other folder.', { path: at('common') }, { path: '^harness/', pathNot: at('common') }),
    forbid('platform-stays-down', 'Platform folders import only platform and common.', { path: at(PLATFORM) }, { path: '^harness/', pathNot: at(`(common|${PLATFORM.slice(1, -1)})`) }),
    forbid('results-imports-no-feature', 'The data model depends on no feature.', { path: at('results') }, { path: '^harness/', pathNot: at(`(results|common|${PLATFORM.slice(1, -1)})`) }),
    forbid('scenario-below-features', 'A scenario is data: it imports no gate, runtime or run.', { path: at('scenario') }, { path: '^harness/', pathNot: at(`(scenario|results|common|${PLATFORM.slice(1, -1)})`) }),
    forbid('sessions-below-runtimes', 'Session plumbing sits below every runtime and participant.', { path: at('sessions') }, { path: '^harness/', pathNot: at(`(sessions|scenario|results|common|${PLATFORM.slice(1, -1)})`) }),
    forbid('participants-apart', 'Runtimes, users, agents and the human room do not import one another.', { path: at(PARTICIPANTS) }, { path: at(PARTICIPANTS), pathNot: '^harness/$1/' }),
    forbid('participants-below-run', 'Runtimes and participants know nothing of the run, judgement or rendering.', { path: at(PARTICIPANTS) }, { path: at('(run|report|capacity|gate)') }),
    forbid('judgement-reads-results', 'capacity/ and gate/ read results; they drive no run and render nothing.', { path: at('(capacity|gate)') }, { path: at(`(run|report|sessions|${PARTICIPANTS.slice(1, -1)})`) }),
    forbid('report-renders-results', 'report/ renders results: it reaches into no run, runtime, session or human room.', { path: at('report') }, { path: at(`(run|sessions|${PARTICIPANTS.slice(1, -1)})`) }),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
