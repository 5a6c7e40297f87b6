import cliProgress from "cli-progress";

/** Where progress goes: stderr by default; anything with `write` (tests pass a buffer). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Plain lines even on a terminal (e.g. with `--json`, so a log stays readable). */
  plain?: boolean;
  /** Plain mode: the least time between two lines, and before the first (default 2000 ms: quick runs print nothing). */
  intervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** A progress display fed `(done, total, label)` updates, e.g. as a runner's `onProgress` callback. */
export interface Progress {
  /** Reports that `done` of `total` units are finished; `label` says what is running now. */
  update: (done: number, total: number, label?: string) => void;
  /** Ends the display (a finished bar stays on screen; plain mode prints the last update if it printed any and not that one). */
  stop: () => void;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * THE progress renderer of the CLI, on stderr: a bar with ETA on a terminal (cli-progress), else — or with
 * `plain` — one line every `intervalMs` (`label: 120/999 (12%), ETA 41s`), so output piped to a file stays short.
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  if (stream.isTTY && !options.plain) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: "{label} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted}",
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, label = "") {
        if (!started) {
          bar.start(total, done, { label });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { label });
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const interval = options.intervalMs ?? 2000;
  const start = now();
  let lastLine = start;
  let printed = false;
  let last: { done: number; total: number; label: string } | undefined;
  let lastPrinted: typeof last;
  const line = ({ done, total, label }: { done: number; total: number; label: string }) => {
    const elapsed = (now() - start) / 1000;
    const eta = done > 0 && done < total ? `, ETA ${formatSeconds((elapsed / done) * (total - done))}` : "";
    const percent = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : "";
    stream.write(`${label ? `${label}: ` : ""}${done}/${total}${percent}${eta}, ${formatSeconds(elapsed)} elapsed\n`);
    printed = true;
    lastPrinted = last;
  };
  return {
    update(done, total, label = "") {
      last = { done, total, label };
      const t = now();
      if (t - lastLine >= interval) {
        lastLine = t;
        line(last);
      }
    },
    stop() {
      if (printed && last && last !== lastPrinted) line(last);
    },
  };
}
