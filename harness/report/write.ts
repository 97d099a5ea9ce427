import { rename, writeFile } from 'node:fs/promises';

/** Writes `text` to `path` through `path.tmp` and a rename, so no reader sees half a file. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}
