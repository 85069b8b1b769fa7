import type { RunProgress } from '../engine/run';
import { formatCount } from './format';

/**
 * A one-line live progress display on a terminal (stderr), redrawn in place; silent when
 * stderr is not a terminal, so logs and CI output stay clean.
 */
export class ProgressLine {
  private readonly frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private frame = 0;
  private lastWidth = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: RunProgress, label: string): void {
    if (!this.enabled) return;
    const busiest = [...p.nodes].sort((a, b) => b.rowsIn + b.rowsOut - (a.rowsIn + a.rowsOut))[0];
    const rejected = p.nodes.reduce((s, n) => s + n.rejected, 0);
    const text =
      `${this.frames[this.frame++ % this.frames.length]} ${label}: ${formatCount(p.rowsRead)} rows read` +
      ` · ${formatCount(p.rowsPerSecond)} rows/s` +
      (rejected ? ` · ${formatCount(rejected)} rejected` : '') +
      (busiest ? ` · ${busiest.nodeId}` : '') +
      ` · ${(p.elapsedMs / 1000).toFixed(1)} s`;
    this.draw(text);
  }

  /** The next spinner frame, for commands that compose their own line. */
  spinner(): string {
    return this.frames[this.frame++ % this.frames.length];
  }

  /** Redraws the line with `text` (cut to the terminal's width). */
  draw(text: string): void {
    if (!this.enabled) return;
    const width = this.stream.columns ?? 100;
    const line = text.slice(0, width - 1);
    this.stream.write('\r' + line + ' '.repeat(Math.max(0, this.lastWidth - line.length)));
    this.lastWidth = line.length;
  }

  clear(): void {
    if (!this.enabled || this.lastWidth === 0) return;
    this.stream.write('\r' + ' '.repeat(this.lastWidth) + '\r');
    this.lastWidth = 0;
  }
}
