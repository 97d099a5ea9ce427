/**
 * The vega runtime report.html carries inline, so the page draws its charts offline with no
 * request anywhere. Read once from the installed vega package (its minified browser build).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: { version: string; code: string } | null = null;

/** vega's minified browser build and its version, read on first use. */
export function vegaRuntime(): { version: string; code: string } {
  if (cached === null) {
    // vega's package exports only its module entry; the browser build sits beside it in build/.
    const entry = import.meta.resolve('vega');
    const code = readFileSync(fileURLToPath(new URL('./vega.min.js', entry)), 'utf8');
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', entry)), 'utf8')) as { version: string };
    cached = { version: pkg.version, code };
  }
  return cached;
}
