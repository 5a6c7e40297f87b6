import { performance } from "node:perf_hooks";
import type { ProgressCallback } from "./run-suite.js";

/** Where the renderer writes: a stream with `write` and, for terminals, `isTTY`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m${String(s).padStart(2, "0")}s` : `${s}s`;
}

/**
 * A simple progress renderer: on a terminal one line redrawn in place (bar, count, ETA, last episode); otherwise
 * plain lines, at most one every `intervalMs` plus the last. The ETA extrapolates from the episodes run in this call.
 */
export function lineProgress(stream: ProgressStream, options: { intervalMs?: number; now?: () => number } = {}): ProgressCallback & { end(): void } {
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 2000;
  let start: number | undefined;
  let startDone = 0;
  let lastLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const render = ((done: number, total: number, label: string) => {
    const t = now();
    if (start === undefined || done < startDone) {
      start = t;
      startDone = done;
    }
    const ran = done - startDone;
    const eta = ran > 0 && done < total ? ` ETA ${formatDuration(((t - start) / ran) * (total - done))}` : "";
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (stream.isTTY) {
      const width = 20;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      stream.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${percent}%${eta}  ${label}`);
      drawn = true;
      if (done === total) {
        stream.write("\n");
        drawn = false;
      }
      return;
    }
    if (done === total || t - lastLine >= intervalMs) {
      stream.write(`${done}/${total} (${percent}%)${eta} ${label}\n`);
      lastLine = t;
    }
  }) as ProgressCallback & { end(): void };
  render.end = () => {
    if (drawn) stream.write("\n");
    drawn = false;
  };
  return render;
}
