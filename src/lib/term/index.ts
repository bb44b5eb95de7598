/**
 * The terminal: what kvadm writes (data to stdout with backpressure, messages and warnings
 * to stderr, tables sized to the terminal), progress of long operations (one spinner API),
 * and what it asks (confirmations of destructive operations, picking from a list), only
 * ever on a TTY. Heavy modules (ora, @inquirer/prompts, cli-table3) are imported on
 * demand inside these functions, so importing this index costs a few small files; still,
 * modules on the fast path import the leaf file they need (see config/index.ts for why).
 */
export { confirmDestructive, interactive } from './confirm.js';
export {
  type Column,
  formatBytes,
  formatExpiration,
  isTTY,
  renderTable,
  truncate,
  useColor,
  warn,
  writeStdout,
} from './output.js';
export { type Progress, rateText, seconds, startProgress, withProgress } from './progress.js';
export { chooseOne } from './prompts.js';
