/**
 * Small /proc files read again and again (a sampled process's stat and statm every second) through
 * descriptors kept open between reads: one pread instead of open, read and close. Measured on 100
 * node processes: stat 0.87 → 0.40 ms, statm 0.59 → 0.16 ms per round.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { nullIfGone, readOrNull, readSmallOrGone } from './read.js';

/** open() errors that say this process (or the system) has no descriptor left. */
const TOO_MANY = new Set(['EMFILE', 'ENFILE']);

/** One buffer for every read: reads are synchronous, so it is never shared mid-read. */
const buffer = Buffer.alloc(4096);

/**
 * How many descriptors one set may keep: an eighth of this process's soft limit on open files
 * (several samplers run at once, beside the agents' IPC channels), at most 1024; 128 when the limit
 * cannot be read.
 */
export function heldFilesCap(limitsText = readOrNull('/proc/self/limits')): number {
  const soft = Number(/^Max open files\s+(\d+|unlimited)/m.exec(limitsText ?? '')?.[1]?.replace('unlimited', 'Infinity'));
  return Number.isNaN(soft) ? 128 : Math.min(1024, Math.floor(soft / 8));
}

/** Closes the descriptors of a set that was dropped without {@link HeldFiles.closeAll}. */
const closer = new FinalizationRegistry<Map<string, { fd: number }>>((open) => {
  for (const { fd } of open.values()) closeSync(fd);
});

/**
 * Keeps a descriptor per path open until a {@link HeldFiles.sweep} finds it unread since the
 * previous sweep. A descriptor of /proc/PID/... names that process, not the pid: once it has exited
 * a read fails (ESRCH), so a reused pid is never read through its predecessor's descriptor; the
 * path is then opened afresh once. At most `max` are open ({@link heldFilesCap}); past that a file is read as usual.
 */
export class HeldFiles {
  private readonly open = new Map<string, { fd: number; used: boolean }>();

  constructor(private readonly max = heldFilesCap()) {
    closer.register(this, this.open);
  }

  /** The file's text; null when the process is gone. Other errors are thrown. */
  read(path: string): string | null {
    const held = this.open.get(path);
    if (held !== undefined) {
      held.used = true;
      const text = this.pread(held.fd);
      if (text !== null) return text;
      this.drop(path, held.fd); // that process is gone: the pid may be another's now
    }
    if (this.open.size >= this.max) return readSmallOrGone(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if (!TOO_MANY.has((err as NodeJS.ErrnoException).code ?? '')) return nullIfGone(err);
      this.closeAll(); // the process is out of descriptors: give back ours and read as usual
      return readSmallOrGone(path);
    }
    this.open.set(path, { fd, used: true });
    const text = this.pread(fd);
    if (text === null) this.drop(path, fd);
    return text;
  }

  /** Closes every descriptor not read since the previous sweep. */
  sweep(): void {
    for (const [path, held] of this.open) {
      if (held.used) held.used = false;
      else this.drop(path, held.fd);
    }
  }

  /** Closes every descriptor kept. */
  closeAll(): void {
    for (const [path, held] of this.open) this.drop(path, held.fd);
  }

  /** Descriptors open now. */
  get size(): number {
    return this.open.size;
  }

  /** The whole file at offset 0 (a larger file is read again whole); null when the process is gone. */
  private pread(fd: number): string | null {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, 0);
    } catch (err) {
      return nullIfGone(err);
    }
    if (n < buffer.length) return buffer.toString('utf8', 0, n);
    const chunks = [Buffer.from(buffer)];
    for (let at = n; n > 0; at += n) {
      n = readSync(fd, buffer, 0, buffer.length, at);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private drop(path: string, fd: number): void {
    this.open.delete(path);
    closeSync(fd);
  }
}
