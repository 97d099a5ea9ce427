/**
 * The import rules (.dependency-cruiser.cjs, run by `npm run lint:deps` in `npm test`) on a small
 * tree of their own: a clean tree passes, and each kind of wrong import fails with its rule named.
 * Guards against a config that silently sees nothing (an unresolved import, a misspelt folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDir } from './support/tmp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Writes `files` (path → source) into a new tree with the project's tsconfig and runs the rules on it. */
function cruise(files: Record<string, string>): { code: number | null; out: string } {
  const dir = testDir('vl-import-rules-');
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), 'harness'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const CLEAN = {
  'harness/common/errors.ts': 'export const E = 1;\n',
  'harness/media/clock.ts': "import { E } from '../common/errors.js';\nexport const now = () => E;\n",
  'harness/results/types.ts': "import type { now } from '../media/clock.js';\nexport type R = typeof now;\n",
  'harness/report/md.ts': "import type { R } from '../results/types.js';\nexport type M = R;\n",
  'harness/cli/main.ts': "import type { M } from '../report/md.js';\nexport type C = M;\n",
};

test('import rules: a tree whose arrows point down passes', () => {
  const r = cruise(CLEAN);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /no dependency violations found/);
});

test('import rules: each wrong direction, a circle and an unresolvable import fail, naming the rule', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['harness/media/late.ts', "import type { R } from '../results/types.js';\nexport type L = R;\n", /platform-stays-down: harness\/media\/late\.ts → harness\/results\/types\.ts/],
    ['harness/results/human.ts', "import type { H } from '../human/types.js';\nexport type X = H;\n", /results-imports-no-feature: harness\/results\/human\.ts → harness\/human\/types\.ts/],
    ['harness/scenario/schema.ts', "import type { G } from '../gate/thresholds.js';\nexport type S = G;\n", /scenario-below-features: harness\/scenario\/schema\.ts → harness\/gate\/thresholds\.ts/],
    ['harness/runtimes/pool.ts', "import type { U } from '../users/user.js';\nexport type P = U;\n", /participants-apart: harness\/runtimes\/pool\.ts → harness\/users\/user\.ts/],
    ['harness/report/runs.ts', "import type { Run } from '../run/runner.js';\nexport type Q = Run;\n", /report-renders-results: harness\/report\/runs\.ts → harness\/run\/runner\.ts/],
    ['harness/gate/args.ts', "import type { C } from '../cli/main.js';\nexport type A = C;\n", /no-cli: harness\/gate\/args\.ts → harness\/cli\/main\.ts/],
    ['harness/common/paths.ts', "import { now } from '../media/clock.js';\nexport const p = now;\n", /common-is-the-bottom: harness\/common\/paths\.ts → harness\/media\/clock\.ts/],
    ['harness/media/missing.ts', "import { nope } from './nowhere.js';\nexport const m = nope;\n", /not-to-unresolvable: harness\/media\/missing\.ts → \.\/nowhere\.js/],
  ];
  const features = {
    'harness/human/types.ts': 'export type H = 1;\n',
    'harness/gate/thresholds.ts': 'export type G = 1;\n',
    'harness/users/user.ts': 'export type U = 1;\n',
    'harness/run/runner.ts': 'export type Run = 1;\n',
  };
  for (const [file, text, want] of cases) {
    const r = cruise({ ...CLEAN, ...features, [file]: text });
    assert.notEqual(r.code, 0, `${file}: passed\n${r.out}`);
    assert.match(r.out, want, file);
  }
  const circle = cruise({
    ...CLEAN,
    'harness/sessions/a.ts': "import type { B } from './b.js';\nexport type A = B | 1;\n",
    'harness/sessions/b.ts': "import type { A } from './a.js';\nexport type B = A | 2;\n",
  });
  assert.notEqual(circle.code, 0, circle.out);
  assert.match(circle.out, /no-circular: harness\/sessions\/a\.ts →\s+harness\/sessions\/b\.ts →\s+harness\/sessions\/a\.ts/);
});
