/**
 * Driving the real binary through a pseudo-terminal (node-pty): what a user at a
 * keyboard sees and types. Waits poll the screen text (ANSI stripped) with a timeout,
 * so tests type only once the prompt they answer is on screen.
 */
import pty from 'node-pty';
import { binPath, repoRoot } from './helpers.js';

export const keys = {
  enter: '\r',
  down: '\u001b[B',
  up: '\u001b[A',
  ctrlC: '\u0003',
} as const;

// CSI and OSC sequences, and the few two-character escapes terminals use.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][0-9A-Za-z]|\u001b[=>78]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export class Terminal {
  private raw = '';
  /** How much of text() earlier expectations consumed. */
  private consumed = 0;
  private exitCode: number | undefined;
  private readonly exited: Promise<number>;
  private readonly proc: pty.IPty;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = pty.spawn(process.execPath, [binPath, ...args], {
      name: 'xterm-256color',
      cols: 100,
      rows: 40,
      cwd: repoRoot,
      env: { ...process.env, TERM: 'xterm-256color', ...env } as Record<string, string>,
    });
    this.proc.onData((data) => {
      this.raw += data;
    });
    this.exited = new Promise((resolve) => {
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      });
    });
  }

  /** Everything shown so far, without escape codes. */
  text(): string {
    return stripAnsi(this.raw);
  }

  write(data: string): void {
    this.proc.write(data);
  }

  /**
   * Wait until `expected` appears after what earlier expectations consumed, then consume
   * it (like `expect` scripts): a prompt shown twice must be awaited twice.
   */
  async expect(expected: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.text().indexOf(expected, this.consumed);
      if (index !== -1) {
        this.consumed = index + expected.length;
        return;
      }
      if (this.exitCode !== undefined) {
        throw new Error(`kvadm exited (${this.exitCode}) while waiting for ${JSON.stringify(expected)}; screen:\n${this.tail()}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(expected)}; screen:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Answer the text prompt showing `message`: wait for it, type, press Enter. */
  async answer(message: string, text: string): Promise<void> {
    await this.expect(message);
    this.write(text + keys.enter);
  }

  /**
   * Pick a choice of the select prompt showing `message`: wait for it, type the start of
   * the choice's label (inquirer's type-to-search), wait until the cursor (❯) is on it,
   * press Enter.
   */
  async choose(message: string, label: string): Promise<void> {
    await this.expect(message);
    this.write(label);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const text = this.text();
      const cursor = text.lastIndexOf('❯ ');
      if (cursor >= this.consumed && text.startsWith(label, cursor + 2)) {
        this.consumed = cursor + 2 + label.length;
        break;
      }
      if (Date.now() > deadline || this.exitCode !== undefined) {
        throw new Error(`choice ${JSON.stringify(label)} not selected; screen:\n${this.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    this.write(keys.enter);
  }

  exit(timeoutMs = 15_000): Promise<number> {
    return Promise.race([
      this.exited,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`kvadm did not exit; screen:\n${this.tail()}`)), timeoutMs)),
    ]);
  }

  kill(): void {
    if (this.exitCode === undefined) this.proc.kill();
  }

  tail(): string {
    return this.text().slice(-2000);
  }
}
