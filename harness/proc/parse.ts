/**
 * Parsers of the /proc files the harness reads (stat, status, smaps_rollup, /proc/stat) and the
 * clock-tick unit of their times. Pure but for reading CLK_TCK once.
 */
import { execFileSync } from 'node:child_process';

/** The fields of /proc/PID/stat the samplers use. Times are in clock ticks (see {@link clockTicksPerSecond}). */
export interface ProcStat {
  pid: number;
  comm: string;
  /** One letter: R running, S sleeping, Z zombie, ... */
  state: string;
  ppid: number;
  /** CPU time in user mode, all threads of the process. */
  utimeTicks: number;
  /** CPU time in kernel mode, all threads of the process. */
  stimeTicks: number;
  /** When the process started, in ticks since boot. Together with pid it identifies a process (pids are reused). */
  startTimeTicks: number;
}

/** Aggregate CPU time of the whole machine from the first line of /proc/stat, in clock ticks. */
export interface ProcStatCpuTotal {
  totalTicks: number;
  /** idle + iowait. */
  idleTicks: number;
}

// Field positions after the closing ')' of comm: index 0 is the state (field 3 in proc(5)).
const STATE = 0;
const PPID = 1;
const PGRP = 2;
const UTIME = 11;
const STIME = 12;
const STARTTIME = 19;

/** The stat line split at the last ')' of comm: the fields after it, from the state on. */
function splitStat(text: string): { open: number; close: number; rest: string[] } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  return { open, close, rest: text.slice(close + 1).trim().split(/\s+/) };
}

/**
 * Parses /proc/PID/stat. The command name sits in parentheses and may itself contain spaces
 * and ')', so the text is split at the last ')'. Throws on text that is not a stat line.
 */
export function parseStat(text: string): ProcStat {
  const { open, close, rest } = splitStat(text);
  const num = (i: number): number => {
    const v = Number(rest[i]);
    if (!Number.isFinite(v)) throw new Error(`bad field ${i + 3} in /proc/PID/stat: ${text.slice(0, 80)}`);
    return v;
  };
  const state = rest[STATE];
  if (state === undefined || state === '') throw new Error(`no state in /proc/PID/stat: ${text.slice(0, 80)}`);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state,
    ppid: num(PPID),
    utimeTicks: num(UTIME),
    stimeTicks: num(STIME),
    startTimeTicks: num(STARTTIME),
  };
}

/** The process group of a /proc/PID/stat line (field 5); NaN when the field is not a number. */
export function parseStatPgid(text: string): number {
  return Number(splitStat(text).rest[PGRP]);
}

/** Reads `<label>:   <n> kB` from a /proc status-like text, as bytes; null when the line is absent. */
function kbLine(text: string, label: string): number | null {
  const m = new RegExp(`^${label}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return m?.[1] === undefined ? null : Number(m[1]) * 1024;
}

/** Resident set size in bytes from /proc/PID/status (`VmRSS:`); null when absent (zombies, kernel threads). */
export function parseStatusRss(text: string): number | null {
  return kbLine(text, 'VmRSS');
}

/** Proportional set size in bytes from /proc/PID/smaps_rollup (`Pss:`); null when absent. */
export function parseSmapsRollupPss(text: string): number | null {
  return kbLine(text, 'Pss');
}

/** Memory in use (MemTotal − MemAvailable) and in total from /proc/meminfo, bytes; null when either line is absent. */
export function parseMeminfo(text: string): { usedBytes: number; totalBytes: number } | null {
  const total = kbLine(text, 'MemTotal');
  const available = kbLine(text, 'MemAvailable');
  return total === null || available === null ? null : { usedBytes: total - available, totalBytes: total };
}

/** Machine-wide CPU ticks from the `cpu` line of /proc/stat; null when there is none. */
export function parseProcStatCpuTotal(text: string): ProcStatCpuTotal | null {
  const m = /^cpu\s+(.*)$/m.exec(text);
  if (m?.[1] === undefined) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already in user.
  const f = m[1].trim().split(/\s+/).map(Number);
  const at = (i: number): number => f[i] ?? 0;
  const totalTicks = at(0) + at(1) + at(2) + at(3) + at(4) + at(5) + at(6) + at(7);
  return { totalTicks, idleTicks: at(3) + at(4) };
}

/** Resident set size in bytes from /proc/PID/statm (its second field, in pages); null when it is not a statm line. */
export function parseStatmRss(text: string, pageBytes: number): number | null {
  const pages = Number(text.split(' ')[1]);
  return Number.isFinite(pages) ? pages * pageBytes : null;
}

let pageBytes: number | undefined;

/** The memory page size in bytes, from `getconf PAGESIZE`, read once; 4096 when getconf is unavailable. */
export function pageSize(): number {
  if (pageBytes === undefined) {
    pageBytes = 4096;
    try {
      const v = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(v) && v > 0) pageBytes = v;
    } catch {
      // keep the fallback
    }
  }
  return pageBytes;
}

let ticksPerSecond: number | undefined;

/**
 * Clock ticks per second (USER_HZ) that /proc times are counted in, from `getconf CLK_TCK`,
 * read once and cached; 100 (the Linux value almost everywhere) when getconf is unavailable.
 */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    ticksPerSecond = 100;
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], {
        encoding: 'utf8',
        timeout: 2000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim());
      if (Number.isInteger(v) && v > 0) ticksPerSecond = v;
    } catch {
      // keep the fallback
    }
  }
  return ticksPerSecond;
}
