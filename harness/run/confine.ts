/**
 * cgroups for the agents (and, with a partition, for the load side): a CPU set, a CPU quota and a
 * memory limit, each only where asked. cgroup v2 where the unified hierarchy is mounted at the
 * root, else v1 (one directory per controller: cpuset, cpu, cpuacct, memory). Linux and root only.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../common/paths.js';
import type { Confinement, HostSize } from '../results/types.js';

const PERIOD_US = 100_000;

/** A live cgroup: add processes to it, read its CPU, remove it at the end. */
export interface Cgroup {
  readonly info: Confinement;
  add(pid: number): Promise<void>;
  /** The group's cgroup.procs files (cpuset's first): what a process writes itself into to join, see {@link enterArgv}. */
  readonly procsFiles: readonly string[];
  /** Removes the cgroup's directories; processes must have exited. Never throws. */
  remove(): Promise<void>;
}

/** What a group is asked to hold: CPUs (a cpuset list such as "1" or "2-3"), a quota, a memory limit. */
export interface GroupSpec {
  cpus?: string;
  quotaCores?: number;
  memoryBytes?: number;
}

/** A cgroup made from a {@link GroupSpec}, in every controller it needed. */
export interface CgroupGroup {
  kind: Confinement['kind'];
  /** The directory of each controller (v2: one directory under every name). */
  dirs: Partial<Record<V1Controller, string>>;
  add(pid: number): Promise<void>;
  /** Its cgroup.procs files, one per directory, cpuset's first. */
  procsFiles: string[];
  /** Moves `pid` back to the group's parent, so the group can be removed while `pid` lives on. */
  leave(pid: number): Promise<void>;
  /** CPU used by everything that ever ran in the group, ns (cpuacct.usage / cpu.stat); null when unreadable. */
  cpuUsageNs(): Promise<number | null>;
  /** Removes the directories; they must hold no process. Never throws. */
  remove(): Promise<void>;
}

type V1Controller = 'cpuset' | 'cpu' | 'cpuacct' | 'memory';

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

/** The files each v1 controller needs for `spec`; `mems` is the parent cpuset's memory nodes. */
export function v1Files(spec: GroupSpec, mems: string): Partial<Record<V1Controller, Array<[string, string]>>> {
  const lim = limitFiles('cgroup-v1', { cores: spec.quotaCores ?? 0, memoryBytes: spec.memoryBytes ?? 0 });
  return {
    ...(spec.cpus !== undefined ? { cpuset: [['cpuset.mems', mems], ['cpuset.cpus', spec.cpus]] as Array<[string, string]> } : {}),
    ...(spec.quotaCores !== undefined ? { cpu: lim.cpu } : {}),
    cpuacct: [],
    ...(spec.memoryBytes !== undefined ? { memory: lim.memory } : {}),
  };
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

/** Reads a number from the first line, or the `key value` line, of a cgroup file; null when unreadable. */
async function readNumber(file: string, key?: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const line = key === undefined ? text.split('\n')[0] : text.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);
  const v = Number(line?.trim());
  return line !== undefined && line.trim() !== '' && Number.isFinite(v) ? v : null;
}

async function createV2Group(root: string, name: string, spec: GroupSpec): Promise<CgroupGroup> {
  const own = (await readFile('/proc/self/cgroup', 'utf8')).split('\n').find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
  const parent = path.join(root, own);
  const want = [spec.cpus !== undefined ? 'cpuset' : '', 'cpu', spec.memoryBytes !== undefined ? 'memory' : ''].filter(Boolean);
  const enabled = await readFile(path.join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => '');
  const missing = want.filter((c) => !new RegExp(`\\b${c}\\b`).test(enabled));
  if (missing.length > 0) {
    await writeFile(path.join(parent, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' ')).catch((err: Error) => {
      throw new Error(`cannot enable the ${missing.join(', ')} controller(s) in ${parent}: ${err.message}`);
    });
  }
  const dir = path.join(parent, name);
  await mkdir(dir);
  const lim = limitFiles('cgroup-v2', { cores: spec.quotaCores ?? 0, memoryBytes: spec.memoryBytes ?? 0 });
  const files: Array<[string, string]> = [
    ...(spec.cpus !== undefined ? [['cpuset.cpus', spec.cpus] as [string, string]] : []),
    ...(spec.quotaCores !== undefined ? lim.cpu : []),
    ...(spec.memoryBytes !== undefined ? lim.memory : []),
  ];
  try {
    await writeAll(dir, files, ['memory.swap.max']);
  } catch (err) {
    await rmdir(dir).catch(() => undefined);
    throw err;
  }
  const procs = (d: string) => path.join(d, 'cgroup.procs');
  return {
    kind: 'cgroup-v2',
    dirs: { cpuset: dir, cpu: dir, cpuacct: dir, memory: dir },
    add: (pid) => writeFile(procs(dir), String(pid)),
    procsFiles: [procs(dir)],
    leave: (pid) => writeFile(procs(parent), String(pid)),
    cpuUsageNs: async () => {
      const us = await readNumber(path.join(dir, 'cpu.stat'), 'usage_usec');
      return us === null ? null : us * 1000;
    },
    remove: () => rmdir(dir).catch(() => undefined),
  };
}

/** Each wanted v1 controller's directory for `name`, one per mount (cpu and cpuacct may share one). */
function v1Dirs(root: string, procCgroup: string, name: string, wanted: V1Controller[]): Map<string, { controllers: V1Controller[]; parent: string }> {
  const out = new Map<string, { controllers: V1Controller[]; parent: string }>();
  for (const c of wanted) {
    const own = ownV1Path(procCgroup, c);
    const mount = path.join(root, c);
    if (own === null || !existsSync(mount)) throw new Error(`no cgroup v1 '${c}' controller is mounted under ${root}`);
    const parent = path.join(realpathSync(mount), own);
    const dir = path.join(parent, name);
    const seen = out.get(dir);
    if (seen) seen.controllers.push(c);
    else out.set(dir, { controllers: [c], parent });
  }
  return out;
}

async function createV1Group(root: string, name: string, spec: GroupSpec): Promise<CgroupGroup> {
  const procCgroup = await readFile('/proc/self/cgroup', 'utf8');
  const cpusetOwn = ownV1Path(procCgroup, 'cpuset') ?? '/';
  const mems = spec.cpus === undefined ? '' : (await readFile(path.join(root, 'cpuset', cpusetOwn, 'cpuset.mems'), 'utf8').catch(() => '0')).trim() || '0';
  const files = v1Files(spec, mems);
  // cpuacct only adds a CPU reading; where it is not mounted the group is made without it.
  if (!existsSync(path.join(root, 'cpuacct'))) delete files.cpuacct;
  const dirs = v1Dirs(root, procCgroup, name, Object.keys(files) as V1Controller[]);
  const made: string[] = [];
  try {
    for (const [dir, { controllers }] of dirs) {
      await mkdir(dir);
      made.push(dir);
      for (const c of controllers) await writeAll(dir, files[c] ?? []);
    }
  } catch (err) {
    for (const d of made.reverse()) await rmdir(d).catch(() => undefined);
    throw err;
  }
  const byController: Partial<Record<V1Controller, string>> = {};
  for (const [dir, { controllers }] of dirs) for (const c of controllers) byController[c] = dir;
  const writeEach = async (pick: (dir: string, parent: string) => string, pid: number) => {
    // cpuset first: a process must never run outside its cores, not even for a moment.
    for (const [dir, { parent }] of dirs) await writeFile(path.join(pick(dir, parent), 'cgroup.procs'), String(pid));
  };
  return {
    kind: 'cgroup-v1',
    dirs: byController,
    add: (pid) => writeEach((dir) => dir, pid),
    procsFiles: [...dirs.keys()].map((dir) => path.join(dir, 'cgroup.procs')),
    leave: (pid) => writeEach((_, parent) => parent, pid),
    cpuUsageNs: () => (byController.cpuacct ? readNumber(path.join(byController.cpuacct, 'cpuacct.usage')) : Promise.resolve(null)),
    remove: async () => {
      for (const d of [...made].reverse()) await rmdir(d).catch(() => undefined);
    },
  };
}

/**
 * The command line that runs `argv` inside the groups whose cgroup.procs files are `procsFiles`
 * from its first instruction (scripts/in-cgroup.sh joins them, then execs): everything it starts
 * is in them too, which a move after the start cannot promise.
 */
export function enterArgv(procsFiles: readonly string[], argv: readonly string[]): string[] {
  return [paths.inCgroupScript, ...procsFiles, '--', ...argv];
}

/** Creates a cgroup `name` holding `spec`, beside this process's own. Throws with a plain reason when it cannot. */
export async function createGroup(spec: GroupSpec, name: string, root = '/sys/fs/cgroup'): Promise<CgroupGroup> {
  if (process.platform !== 'linux') throw new Error('cgroups are Linux only');
  const v2 = existsSync(path.join(root, 'cgroup.controllers'));
  return v2 ? createV2Group(root, name, spec) : createV1Group(root, name, spec);
}

/**
 * Creates the agents' cgroup sized to `target`. Throws with a plain reason when it cannot (not
 * root, no writable controller); the caller decides whether that is fatal.
 */
export async function createCgroup(target: HostSize, name: string, root = '/sys/fs/cgroup'): Promise<Cgroup> {
  const g = await createGroup({ quotaCores: target.cores, memoryBytes: target.memoryBytes }, name, root);
  return {
    info: { kind: g.kind, path: g.dirs.cpu ?? '', cpuCores: target.cores, memoryBytes: target.memoryBytes },
    add: (pid) => g.add(pid),
    procsFiles: g.procsFiles,
    remove: () => g.remove(),
  };
}

/** Whether the agents should be confined: only when this host is bigger than the target. */
export function shouldConfine(host: HostSize, target: HostSize): boolean {
  // More memory alone does not call for it: a memory limit only matters when agents come near it,
  // and the report compares their memory with the target's anyway. More cores skew every CPU figure.
  return host.cores > target.cores;
}
