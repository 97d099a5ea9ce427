import { fileURLToPath } from 'node:url';
import path from 'node:path';

// This file compiles to dist/harness/common/paths.js: three levels up is the project root.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute paths the harness needs, independent of the working directory. */
export const paths = {
  root: ROOT,
  scenarios: path.join(ROOT, 'dist', 'scenarios'),
  fixtures: path.join(ROOT, 'fixtures'),
  defaultSpeech: path.join(ROOT, 'fixtures', 'speech.wav'),
  netnsScript: path.join(ROOT, 'scripts', 'netns-run.sh'),
  inCgroupScript: path.join(ROOT, 'scripts', 'in-cgroup.sh'),
  reports: path.join(ROOT, 'reports'),
  /** The command line's entry: every subcommand (scenario, gate, baseline, report, list, provision). */
  cli: path.join(ROOT, 'dist', 'harness', 'cli', 'main.js'),
  agentMain: path.join(ROOT, 'dist', 'harness', 'agents', 'main.js'),
  generatorMain: path.join(ROOT, 'dist', 'harness', 'users', 'main.js'),
  sileroModel: path.join(ROOT, 'node_modules', '@livekit', 'agents-plugin-silero', 'dist', 'silero_vad.onnx'),
};
