import type { Progress } from '../run/runner.js';

function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** One status line: elapsed/total, sessions live (and ended, once some have), CPU now, phase. Pure. */
export function formatProgress(name: string, p: Progress): string {
  const ended = p.ended > 0 ? `, ${p.ended} ended` : '';
  return `${name}  ${clock(p.elapsedS)}/${clock(p.totalS)}  sessions ${p.joined}/${p.requested}${ended}  cpu ${p.cpuCores.toFixed(2)} cores  ${p.phase}`;
}

/** Writes progress: a live line on a terminal, a plain line every `everyS` seconds otherwise. */
export class StatusLine {
  private lastPlainS = -Infinity;
  private live = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly everyS = 10) {}

  update(line: string, elapsedS: number): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.live = true;
    } else if (elapsedS - this.lastPlainS >= this.everyS) {
      this.out.write(`${line}\n`);
      this.lastPlainS = elapsedS;
    }
  }

  /** Prints a message on its own line without breaking the live line. */
  message(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  clear(): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.live = false;
  }
}
