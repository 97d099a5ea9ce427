/**
 * Puts the agents inside a cgroup with the target host's CPU quota and memory limit, so that on a
 * host bigger than the target the agents' figures are the target's own. cgroup v2 where the
 * unified hierarchy is mounted, else v1 (cpu + memory controllers). Linux and root only.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Confinement, HostSize } from '../results/types.js';

const PERIOD_US = 100_000;

/** A live cgroup: add processes to it, remove it at the end. */
export interface Cgroup {
  readonly info: Confinement;
  add(pid: number): Promise<void>;
  /** Removes the cgroup's directories; processes must have exited. Never throws. */
  remove(): Promise<void>;
}

/** Where this process sits in a v1 controller's hierarchy ("/" or e.g. "/process_api/abc"). */
export function ownV1Path(procCgroup: string, controller: string): string | null {
  for (const line of procCgroup.split('\n')) {
    const [, controllers, where] = line.split(':');
    if (controllers !== undefined && where !== undefined && controllers.split(',').includes(controller)) return where;
  }
  return null;
}

/** The files to write for a quota of `cores` and a limit of `memoryBytes`, per cgroup version. */
export function limitFiles(kind: Confinement['kind'], target: HostSize): Record<'cpu' | 'memory', Array<[string, string]>> {
  const quota = String(Math.round(target.cores * PERIOD_US));
  const mem = String(Math.floor(target.memoryBytes));
  return kind === 'cgroup-v2'
    ? { cpu: [['cpu.max', `${quota} ${PERIOD_US}`]], memory: [['memory.max', mem], ['memory.swap.max', '0']] }
    : { cpu: [['cpu.cfs_period_us', String(PERIOD_US)], ['cpu.cfs_quota_us', quota]], memory: [['memory.limit_in_bytes', mem]] };
}

async function writeAll(dir: string, files: Array<[string, string]>, optional: string[] = []): Promise<void> {
  for (const [name, value] of files) {
    try {
      await writeFile(path.join(dir, name), value);
    } catch (err) {
      if (!optional.includes(name)) throw new Error(`cannot write ${path.join(dir, name)}: ${(err as Error).message}`);
    }
  }
}

async function createV2(root: string, name: string, target: HostSize): Promise<Cgroup> {
  const own = (await readFile('/proc/self/cgroup', 'utf8')).split('\n').find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
  const parent = path.join(root, own);
  const controllers = await readFile(path.join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => '');
  if (!/\bcpu\b/.test(controllers) || !/\bmemory\b/.test(controllers)) {
    await writeFile(path.join(parent, 'cgroup.subtree_control'), '+cpu +memory').catch((err: Error) => {
      throw new Error(`cannot enable the cpu and memory controllers in ${parent}: ${err.message}`);
    });
  }
  const dir = path.join(parent, name);
  await mkdir(dir);
  const files = limitFiles('cgroup-v2', target);
  try {
    await writeAll(dir, [...files.cpu, ...files.memory], ['memory.swap.max']);
  } catch (err) {
    await rmdir(dir).catch(() => undefined);
    throw err;
  }
  return {
    info: { kind: 'cgroup-v2', path: dir, cpuCores: target.cores, memoryBytes: target.memoryBytes },
    add: (pid) => writeFile(path.join(dir, 'cgroup.procs'), String(pid)),
    remove: () => rmdir(dir).catch(() => undefined),
  };
}

async function createV1(root: string, name: string, target: HostSize): Promise<Cgroup> {
  const procCgroup = await readFile('/proc/self/cgroup', 'utf8');
  const dirs: Record<'cpu' | 'memory', string> = { cpu: '', memory: '' };
  for (const c of ['cpu', 'memory'] as const) {
    const own = ownV1Path(procCgroup, c);
    if (own === null || !existsSync(path.join(root, c))) throw new Error(`no cgroup v1 '${c}' controller is mounted under ${root}`);
    dirs[c] = path.join(root, c, own, name);
  }
  const made: string[] = [];
  const files = limitFiles('cgroup-v1', target);
  try {
    for (const c of ['cpu', 'memory'] as const) {
      await mkdir(dirs[c]);
      made.push(dirs[c]);
      await writeAll(dirs[c], files[c]);
    }
  } catch (err) {
    for (const d of made) await rmdir(d).catch(() => undefined);
    throw err;
  }
  return {
    info: { kind: 'cgroup-v1', path: dirs.cpu, cpuCores: target.cores, memoryBytes: target.memoryBytes },
    add: async (pid) => {
      for (const c of ['cpu', 'memory'] as const) await writeFile(path.join(dirs[c], 'cgroup.procs'), String(pid));
    },
    remove: async () => {
      for (const d of made) await rmdir(d).catch(() => undefined);
    },
  };
}

/**
 * Creates the agents' cgroup sized to `target`. Throws with a plain reason when it cannot (not
 * root, no writable controller); the caller decides whether that is fatal.
 */
export async function createCgroup(target: HostSize, name: string, root = '/sys/fs/cgroup'): Promise<Cgroup> {
  if (process.platform !== 'linux') throw new Error('cgroups are Linux only');
  const v2 = existsSync(path.join(root, 'cgroup.controllers'));
  return v2 ? createV2(root, name, target) : createV1(root, name, target);
}

/** Whether the agents should be confined: only when this host is bigger than the target. */
export function shouldConfine(host: HostSize, target: HostSize): boolean {
  // More memory alone does not call for it: a memory limit only matters when agents come near it,
  // and the report compares their memory with the target's anyway. More cores skew every CPU figure.
  return host.cores > target.cores;
}
