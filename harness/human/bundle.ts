import path from 'node:path';
import { paths } from '../common/paths.js';

/** The page's source folder (bundled from source: esbuild reads the .js and the shared .ts directly). */
export const PAGE_DIR = path.join(paths.root, 'harness', 'human', 'page');

let cached: Promise<string> | null = null;

/**
 * The page's script with livekit-client bundled in, built on first use by esbuild (an exact-pinned
 * dependency) from node_modules: one file, served locally, nothing fetched from a CDN. Built in
 * memory once per process (well under a second), so there is no stale bundle on disk to trust.
 */
export function pageBundle(): Promise<string> {
  cached ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [path.join(PAGE_DIR, 'app.js')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'chrome110',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const file = out.outputFiles[0];
    if (!file) throw new Error('esbuild produced no page bundle');
    return file.text;
  })();
  return cached;
}
