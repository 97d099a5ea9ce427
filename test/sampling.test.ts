import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PidusageSampler } from '../harness/sampling/pidusage-sampler.js';
import { PssBook } from '../harness/sampling/pss-book.js';
import { readSmallOrGone } from '../harness/proc/read.js';
import { HeldFiles, heldFilesCap } from '../harness/proc/held-files.js';
import { ProcfsSampler } from '../harness/sampling/process-tree.js';
import {
  clockTicksPerSecond,
  parseProcStatCpuTotal,
  parseSmapsRollupPss,
  parseStat,
  parseStatusRss,
} from '../harness/proc/parse.js';
import { SystemSampler, systemSamplerFor } from '../harness/sampling/system.js';

const MB = 1024 * 1024;
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'voiceload-sampling-'));

/** A /proc/PID/stat line with the fields the parser reads placed where the kernel puts them. */
function statLine(pid: number, comm: string, ppid: number, utime: number, stime: number, start: number, state = 'S'): string {
  return `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 1234 0 5 0 ${utime} ${stime} 0 0 20 0 1 0 ${start} 12345678 900 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}
const statusText = (rssKb: number | null): string =>
  `Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 1190000 kB\nVmSize:\t 1180000 kB\nVmHWM:\t   60000 kB\n` +
  (rssKb === null ? '' : `VmRSS:\t   ${rssKb} kB\n`) +
  `RssAnon:\t   30000 kB\nRssFile:\t   20000 kB\nThreads:\t11\n`;
const smapsText = (rssKb: number, pssKb: number): string =>
  `55ac9b54d000-7ffdbb031000 ---p 00000000 00:00 0                          [rollup]\n` +
  `Rss:            ${rssKb} kB\nPss:            ${pssKb} kB\nPss_Dirty:       116 kB\nPss_Anon:        116 kB\nShared_Clean:   1000 kB\n`;

describe('procfs parsers', () => {
  test('parseStat splits at the last parenthesis of a comm with spaces and )', () => {
    const s = parseStat(statLine(4321, 'tmux: a) b (c)', 77, 150, 37, 98765));
    assert.deepEqual(s, { pid: 4321, comm: 'tmux: a) b (c)', state: 'S', ppid: 77, utimeTicks: 150, stimeTicks: 37, startTimeTicks: 98765 });
    assert.equal(parseStat(readFileSync('/proc/self/stat', 'utf8')).pid, process.pid);
    assert.throws(() => parseStat('garbage'));
  });

  test('parseStatusRss and parseSmapsRollupPss read kB lines as bytes, null when absent', () => {
    assert.equal(parseStatusRss(statusText(51234)), 51234 * 1024);
    assert.equal(parseStatusRss(statusText(null)), null); // zombie
    assert.equal(parseSmapsRollupPss(smapsText(1680, 435)), 435 * 1024); // not Pss_Dirty/Pss_Anon
    assert.equal(parseSmapsRollupPss(''), null);
  });

  test('readSmallOrGone reads a small file, a file larger than its buffer whole, and null for a gone one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'small'), 'é 1 2\n');
    writeFileSync(join(dir, 'big'), 'x'.repeat(10_000));
    assert.equal(readSmallOrGone(join(dir, 'small')), 'é 1 2\n');
    assert.equal(readSmallOrGone(join(dir, 'big'))?.length, 10_000);
    assert.equal(readSmallOrGone(join(dir, 'gone')), null);
    assert.equal(readSmallOrGone('/proc/self/stat')?.split(' ')[0], String(process.pid));
    rmSync(dir, { recursive: true });
  });

  test('HeldFiles reads through a kept descriptor, sees new content, closes what a sweep finds unread, caps what it keeps', () => {
    const dir = tempDir();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, n)) as [string, string, string];
    writeFileSync(a, '1');
    writeFileSync(b, 'x'.repeat(10_000));
    writeFileSync(c, '3');
    const files = new HeldFiles(2);
    assert.equal(files.read(a), '1');
    assert.equal(files.read(b)?.length, 10_000, 'a file larger than the buffer is read whole');
    assert.equal(files.read(c), '3', 'past the cap a file is still read');
    assert.equal(files.size, 2);
    writeFileSync(a, '22');
    assert.equal(files.read(a), '22');
    assert.equal(files.read(join(dir, 'gone')), null);
    files.sweep(); // all were read since the last sweep
    files.read(a);
    files.sweep(); // b was not
    assert.equal(files.size, 1);
    files.sweep();
    assert.equal(files.size, 0);
    files.read(a);
    files.closeAll();
    assert.equal(files.size, 0);
    rmSync(dir, { recursive: true });
  });

  test('heldFilesCap: an eighth of the soft limit on open files, at most 1024', () => {
    const limits = (soft: string): string => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 20000                files\n`;
    assert.equal(heldFilesCap(limits('1024')), 128);
    assert.equal(heldFilesCap(limits('20000')), 1024);
    assert.equal(heldFilesCap(limits('unlimited')), 1024);
    assert.equal(heldFilesCap(null), 128);
    assert.ok(heldFilesCap() > 0);
  });

  test('HeldFiles: the kept descriptor of a process that exited reads as gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
    const files = new HeldFiles();
    const path = `/proc/${child.pid}/stat`;
    assert.equal(files.read(path)?.split(' ')[0], String(child.pid));
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 50)); // reaped
    assert.equal(files.read(path), null);
    assert.equal(files.size, 0);
  });

  test('parseProcStatCpuTotal sums the cpu line, idle includes iowait', () => {
    const t = parseProcStatCpuTotal('cpu  10 1 5 80 4 0 0 0 0 0\ncpu0 5 0 2 40 2 0 0 0 0 0\n');
    assert.deepEqual(t, { totalTicks: 100, idleTicks: 84 });
    assert.ok(clockTicksPerSecond() > 0);
  });
});

/** A fake /proc: 10 -> 11 -> 12 plus unrelated 20, 13 a directory whose process vanished. */
function fakeProc(): { root: string; proc: (pid: number, ppid: number, ticks: number, rssKb: number | null, pssKb?: number | null) => void } {
  const root = tempDir();
  const proc = (pid: number, ppid: number, ticks: number, rssKb: number | null, pssKb: number | null = null): void => {
    const dir = join(root, String(pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), statLine(pid, `proc ${pid}`, ppid, ticks, 0, 1000 + pid, rssKb === null ? 'Z' : 'S'));
    writeFileSync(join(dir, 'status'), statusText(rssKb));
    if (pssKb === null) rmSync(join(dir, 'smaps_rollup'), { force: true });
    else writeFileSync(join(dir, 'smaps_rollup'), smapsText(rssKb ?? 0, pssKb));
  };
  proc(10, 1, 100, 1000, 500);
  proc(11, 10, 200, 2000, 1500);
  proc(12, 11, 300, 3000, 2500);
  proc(20, 1, 400, 4000, 3500);
  mkdirSync(join(root, '13')); // listed, but its files are gone
  mkdirSync(join(root, 'self'));
  writeFileSync(join(root, 'stat'), 'cpu  1 2 3 4\n');
  return { root, proc };
}

describe('ProcfsSampler on a fake /proc', () => {
  test('sums a tree, computes cores from tick deltas, ignores vanished processes', async () => {
    const { root, proc } = fakeProc();
    let now = 0;
    const sampler = new ProcfsSampler({ procRoot: root, now: () => now, ticksPerSecond: 100 });
    const first = await sampler.sample('tree', [10]);
    assert.deepEqual(first, { processes: 3, cpuCores: 0, rssBytes: 6000 * 1024, pssBytes: 4500 * 1024, pssEstimated: 0 });

    proc(10, 1, 120, 1000, 500); // +20 ticks
    proc(11, 10, 230, 2000, 1500); // +30 ticks
    proc(20, 1, 900, 4000, 3500); // unrelated, +500 ticks
    now = 1000;
    const second = await sampler.sample('tree', [10]);
    assert.equal(second.cpuCores, 0.5); // 50 ticks / 100 Hz / 1 s

    rmSync(join(root, '12'), { recursive: true }); // exited
    proc(14, 11, 10, 100, 50); // born since the last sample: all 10 of its ticks count
    now = 2000;
    const third = await sampler.sample('tree', [10]);
    assert.deepEqual(third, { processes: 3, cpuCores: 0.1, rssBytes: 3100 * 1024, pssBytes: 2050 * 1024, pssEstimated: 2 });
    rmSync(root, { recursive: true });
  });

  test('a running process that joins a group counts only its ticks since the previous listing', async () => {
    const { root, proc } = fakeProc();
    let now = 0;
    const sampler = new ProcfsSampler({ procRoot: root, now: () => now, ticksPerSecond: 100 });
    await sampler.sample('g', [12]);
    proc(20, 1, 450, 4000, 3500);
    now = 500;
    const s = await sampler.sample('g', [12, 20]);
    assert.equal(s.cpuCores, 1); // 50 ticks / 100 Hz / 0.5 s
    rmSync(root, { recursive: true });
  });

  test('sampleAll: descendants false takes only the pid; the first group to claim a pid keeps it', async () => {
    const { root } = fakeProc();
    const sampler = new ProcfsSampler({ procRoot: root, now: () => 0, ticksPerSecond: 100 });
    const a = await sampler.sampleAll({
      own: { pids: [10], descendants: false },
      tree: { pids: [10], descendants: true },
      other: { pids: [20, 999], descendants: true },
    });
    assert.equal(a.own?.processes, 1);
    assert.equal(a.own?.rssBytes, 1000 * 1024);
    assert.equal(a.tree?.processes, 2); // 11 and 12: 10 went to "own"
    assert.equal(a.tree?.rssBytes, 5000 * 1024);
    assert.equal(a.other?.processes, 1); // 999 does not exist
    const b = await sampler.sampleAll({ tree: { pids: [10], descendants: true }, own: { pids: [10], descendants: false } });
    assert.equal(b.tree?.processes, 3);
    assert.equal(b.own?.processes, 0);
    rmSync(root, { recursive: true });
  });

  test('zombies hold no memory; a live process without smaps_rollup makes PSS unknown', async () => {
    const { root, proc } = fakeProc();
    proc(12, 11, 300, null, 0); // zombie
    proc(20, 1, 400, 4000, null); // smaps_rollup unreadable
    const sampler = new ProcfsSampler({ procRoot: root, ticksPerSecond: 100 });
    const s = await sampler.sampleAll({ tree: { pids: [10], descendants: true }, other: { pids: [20], descendants: true } });
    assert.deepEqual(s.tree, { processes: 3, cpuCores: 0, rssBytes: 3000 * 1024, pssBytes: 2000 * 1024, pssEstimated: 0 });
    assert.equal(s.other?.pssBytes, null);
    rmSync(root, { recursive: true });
  });
});

describe('ProcfsSampler PSS cadence', () => {
  // The population rule is off but in its own test, so each test sees one rule at work.
  const options = { ticksPerSecond: 100, pssEveryMs: 30_000, pssRssChange: 0.1, pssPopulationChange: Infinity };

  test('between smaps_rollup reads PSS is RSS × the last PSS/RSS, counted as estimated; a new process is read at once', async () => {
    const { root, proc } = fakeProc();
    proc(30, 1, 0, 4000, 2000); // pid mod 30 = 0: its first reading is not brought forward
    let now = 0;
    const sampler = new ProcfsSampler({ ...options, procRoot: root, now: () => now });
    const first = await sampler.sample('g', [30]);
    assert.equal(first.pssBytes, 2000 * 1024);
    assert.equal(first.pssEstimated, 0);
    proc(30, 1, 0, 4200, 2500); // RSS +5 %: no read
    now = 1000;
    const between = await sampler.sample('g', [30]);
    assert.equal(between.rssBytes, 4200 * 1024, 'RSS is read every sample');
    assert.equal(between.pssBytes, 2100 * 1024, 'PSS is RSS × 2000/4000 until read again');
    assert.equal(between.pssEstimated, 1);
    proc(31, 30, 0, 100, 70); // born since
    now = 2000;
    const withChild = await sampler.sample('g', [30]);
    assert.equal(withChild.pssBytes, (2100 + 70) * 1024);
    assert.equal(withChild.pssEstimated, 1);
    now = 30_000; // 30 is due; 31's first reading (at 2 s, cohort 1 of 30) is due at 31 s
    const due = await sampler.sample('g', [30]);
    assert.equal(due.pssBytes, (2500 + 70) * 1024);
    assert.equal(due.pssEstimated, 1);
    rmSync(root, { recursive: true });
  });

  test('a process whose RSS moved by more than pssRssChange is read again before the interval', async () => {
    const { root, proc } = fakeProc();
    proc(30, 1, 0, 4000, 2000);
    let now = 0;
    const sampler = new ProcfsSampler({ ...options, procRoot: root, now: () => now });
    await sampler.sample('g', [30]);
    proc(30, 1, 0, 3500, 1900); // RSS −12.5 %
    now = 1000;
    const moved = await sampler.sample('g', [30]);
    assert.deepEqual([moved.pssBytes, moved.pssEstimated], [1900 * 1024, 0]);
    rmSync(root, { recursive: true });
  });

  test('every process is read again once the number of processes sampled moved by more than pssPopulationChange', async () => {
    const { root, proc } = fakeProc();
    let now = 0;
    const sampler = new ProcfsSampler({ ...options, pssPopulationChange: 0.1, procRoot: root, now: () => now });
    await sampler.sample('g', [10]); // 10, 11, 12
    proc(10, 1, 100, 1000, 400); // sharing changed, RSS did not
    proc(14, 11, 0, 100, 50);
    now = 1000;
    const grown = await sampler.sample('g', [10]); // 4 processes: +33 %
    assert.deepEqual([grown.pssBytes, grown.pssEstimated], [(400 + 1500 + 2500 + 50) * 1024, 0]);
    rmSync(root, { recursive: true });
  });

  test('processes seen together are read again spread over the interval by pid, not all in one sample', async () => {
    const { root, proc } = fakeProc();
    let now = 0;
    const sampler = new ProcfsSampler({ ...options, procRoot: root, now: () => now });
    await sampler.sample('g', [10]); // 10, 11, 12: pid mod 30 = 10, 11, 12 → due at 20 s, 19 s, 18 s
    proc(12, 11, 300, 3000, 2600);
    proc(11, 10, 200, 2000, 1600);
    now = 18_000;
    const at18 = await sampler.sample('g', [10]);
    assert.deepEqual([at18.pssBytes, at18.pssEstimated], [(500 + 1500 + 2600) * 1024, 2], 'only pid 12 is read at 18 s');
    now = 19_000;
    assert.equal((await sampler.sample('g', [10])).pssBytes, (500 + 1600 + 2600) * 1024, 'pid 11 not read again at 19 s');
    rmSync(root, { recursive: true });
  });
});

describe('PssBook', () => {
  test('an unreadable PSS stays unknown until read again; a forgotten process is due at once', () => {
    const book = new PssBook({ everyMs: 30_000, rssChange: 0.1, populationChange: 0.1 });
    book.record('30:1', 30, { pss: null, rss: 4000, population: 2 }, 0);
    assert.equal(book.due('30:1', { rss: 4000, population: 2 }, 1000), false);
    assert.equal(book.estimate('30:1', 4000), null);
    book.record('60:1', 60, { pss: 3000, rss: 0, population: 2 }, 0); // no RSS at the read: PSS carried as it was
    assert.equal(book.estimate('60:1', 500), 3000);
    book.forget((key) => key !== '30:1');
    assert.equal(book.due('30:1', { rss: 4000, population: 2 }, 1000), true);
    assert.equal(book.due('60:1', { rss: 0, population: 2 }, 29_999), false);
    assert.equal(book.due('60:1', { rss: 0, population: 3 }, 1000), true, 'a third process shares its pages now');
  });
});

describe('ProcfsSampler listing cadence', () => {
  test('between full listings only members, roots and new pids are read; a full listing reads all', async () => {
    const { root, proc } = fakeProc();
    let now = 0;
    const sampler = new ProcfsSampler({ procRoot: root, now: () => now, ticksPerSecond: 100, fullListingEveryMs: 10_000 });
    await sampler.sample('g', [10]);
    // 20 is in no group: reparenting it under 10 is not seen until the next full listing.
    proc(20, 12, 400, 4000, 3500);
    proc(11, 10, 250, 2000, 1500); // a member: read every time (+50 ticks)
    now = 1000;
    const between = await sampler.sample('g', [10]);
    assert.equal(between.processes, 3);
    assert.equal(between.cpuCores, 0.5);
    now = 10_000;
    const full = await sampler.sample('g', [10]);
    assert.equal(full.processes, 4, 'the full listing did not read the non-member again');
    rmSync(root, { recursive: true });
  });
});

describe('samplers on the real machine', () => {
  test('ProcfsSampler sees a busy child use CPU and memory', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end) {}'], { stdio: 'ignore' });
    const pid = child.pid ?? assert.fail('no pid');
    try {
      const sampler = new ProcfsSampler();
      const groups = { busy: { pids: [pid], descendants: true }, harness: { pids: [process.pid], descendants: false } };
      await sampler.sampleAll(groups);
      await new Promise((r) => setTimeout(r, 600));
      const s = await sampler.sampleAll(groups);
      assert.equal(s.busy?.processes, 1);
      assert.ok((s.busy?.cpuCores ?? 0) > 0.2, `busy child used ${s.busy?.cpuCores} cores`);
      assert.ok((s.busy?.rssBytes ?? 0) > 10 * MB, `busy child rss ${s.busy?.rssBytes}`);
      assert.equal(s.harness?.processes, 1);
    } finally {
      child.kill();
    }
  });

  test('PidusageSampler measures the given pids and drops dead ones', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(dead, 'exit');
    const sampler = new PidusageSampler();
    const groups = { me: { pids: [process.pid, dead.pid ?? 0], descendants: false } };
    await sampler.sampleAll(groups);
    const end = Date.now() + 200;
    while (Date.now() < end); // burn CPU in this process
    const s = await sampler.sampleAll(groups);
    assert.equal(s.me?.processes, 1);
    assert.equal(s.me?.pssBytes, null);
    assert.ok((s.me?.rssBytes ?? 0) > 10 * MB);
    assert.ok((s.me?.cpuCores ?? 0) > 0.2, `used ${s.me?.cpuCores} cores`);
  });

  test('SystemSampler reports cores busy from /proc/stat deltas and memory', async () => {
    const dir = tempDir();
    const path = join(dir, 'stat');
    const cpus = 'cpu0 0 0 0 0\ncpu1 0 0 0 0\n';
    writeFileSync(path, `cpu  100 0 100 800 0 0 0 0 0 0\n${cpus}`);
    const fake = new SystemSampler({ procStatPath: path });
    assert.equal((await fake.sample()).cpuCores, 0);
    writeFileSync(path, `cpu  150 0 150 850 50 0 0 0 0 0\n${cpus}`); // 100 busy of 200 ticks, 2 CPUs
    const s = await fake.sample();
    assert.equal(s.cpuCores, 1);
    assert.ok(s.memTotalBytes > s.memUsedBytes && s.memUsedBytes > 0);
    rmSync(dir, { recursive: true });
  });

  test("SystemSampler in a container: CPU is its cgroup's usage over elapsed time, not the machine's /proc/stat", async () => {
    const dir = tempDir();
    const stat = join(dir, 'stat');
    const usage = join(dir, 'cpuacct.usage');
    // The machine is busy (2 of 2 CPUs between the samples); the container used 0.25 s of CPU in 0.5 s.
    writeFileSync(stat, 'cpu  0 0 0 200 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n');
    writeFileSync(usage, '1000000000\n');
    let nowMs = 10_000;
    const sampler = new SystemSampler({ procStatPath: stat, cgroupCpu: { usageFile: usage, cores: 1 }, now: () => nowMs });
    assert.equal((await sampler.sample()).cpuCores, 0);
    writeFileSync(stat, 'cpu  200 0 0 200 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n');
    writeFileSync(usage, '1250000000\n');
    nowMs += 500;
    const s = await sampler.sample();
    assert.equal(s.cpuSource, 'cgroup');
    assert.equal(s.cpuCores, 0.5);
    assert.deepEqual(s.cpuTicks, { busy: 1_250_000, total: 10_500_000, cpus: 1 });
    // The counter gone (the cgroup unreadable): the machine's /proc/stat from then on.
    rmSync(usage);
    writeFileSync(stat, 'cpu  250 0 0 250 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n');
    const after = await sampler.sample();
    assert.equal(after.cpuSource, undefined);
    assert.equal(after.cpuTicks?.cpus, 2);
    rmSync(dir, { recursive: true });
  });

  test('systemSamplerFor: each reading from the cgroup only where the container limits it', async () => {
    const dir = tempDir();
    const usage = join(dir, 'cpu.stat');
    writeFileSync(usage, 'usage_usec 5000\n');
    writeFileSync(join(dir, 'memory.current'), '700\n');
    writeFileSync(join(dir, 'memory.stat'), 'inactive_file 200\n');
    const limits = () => ({ kind: 'cgroup-v2' as const, cpuCores: 1, memoryBytes: 1000, cpuUsageFile: usage, memoryDir: dir });
    const machine = { cores: 2, memoryBytes: 10_000 };
    const both = await systemSamplerFor({ limits: { kind: 'cgroup-v2', cpuCores: 1, memoryBytes: 1000, machine } }, limits).sample();
    assert.deepEqual([both.cpuSource, both.memSource, both.memUsedBytes, both.memTotalBytes], ['cgroup', 'cgroup', 500, 1000]);
    const memoryOnly = await systemSamplerFor({ limits: { kind: 'cgroup-v2', cpuCores: null, memoryBytes: 1000, machine } }, limits).sample();
    assert.deepEqual([memoryOnly.cpuSource, memoryOnly.memSource], [undefined, 'cgroup']);
    const cpuOnly = await systemSamplerFor({ limits: { kind: 'cgroup-v2', cpuCores: 1, memoryBytes: null, machine } }, limits).sample();
    assert.deepEqual([cpuOnly.cpuSource, cpuOnly.memSource], ['cgroup', undefined]);
    const host = await systemSamplerFor({}, limits).sample();
    assert.deepEqual([host.cpuSource, host.memSource], [undefined, undefined]);
    rmSync(dir, { recursive: true });
  });

  test('SystemSampler: memory in use is MemTotal − MemAvailable from meminfo', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'stat'), 'cpu  1 0 1 8 0 0 0 0 0 0\ncpu0 0 0 0 0\n');
    writeFileSync(join(dir, 'meminfo'), 'MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    600 kB\n');
    const s = await new SystemSampler({ procStatPath: join(dir, 'stat'), meminfoPath: join(dir, 'meminfo') }).sample();
    assert.deepEqual([s.memUsedBytes, s.memTotalBytes], [400 * 1024, 1000 * 1024]);
    rmSync(dir, { recursive: true });
  });
});
