import { existsSync } from 'node:fs';
import { PidusageSampler } from './pidusage-sampler.js';
import { ProcfsSampler } from './process-tree.js';
import type { TreeSampler } from './types.js';

/**
 * The process sampler for this platform: procfs where /proc/self/stat exists (Linux: process
 * trees and PSS), else pidusage (given pids only, no PSS). Callers never branch on platform.
 */
export function createProcessSampler(): TreeSampler {
  return existsSync('/proc/self/stat') ? new ProcfsSampler() : new PidusageSampler();
}
