import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.js";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text: string) => chunks.push(text) }, chunks };
}

describe("createProgress", () => {
  it("prints plain lines at most once per interval when not on a terminal, and a last line", () => {
    let now = 0;
    const { stream, chunks } = sink(false);
    const progress = createProgress({ stream, intervalMs: 1000, now: () => now });
    progress.update(0, 10, "case a");
    now = 500;
    progress.update(2, 10, "case a");
    expect(chunks).toEqual([]);
    now = 1500;
    progress.update(5, 10, "case b");
    now = 1600;
    progress.update(6, 10, "case b");
    progress.stop();
    expect(chunks).toEqual(["case b: 5/10 (50%), ETA 2s, 2s elapsed\n", "case b: 6/10 (60%), ETA 1s, 2s elapsed\n"]);
  });

  it("prints nothing for a run shorter than the interval", () => {
    const { stream, chunks } = sink(false);
    const progress = createProgress({ stream, intervalMs: 60_000 });
    progress.update(1, 2, "x");
    progress.update(2, 2, "x");
    progress.stop();
    expect(chunks).toEqual([]);
  });

  it("draws a bar with ETA on a terminal, and plain lines there with plain (--json)", () => {
    const tty = sink(true);
    const bar = createProgress({ stream: tty.stream });
    bar.update(1, 4, "loading");
    bar.update(4, 4, "loading");
    bar.stop();
    const drawn = tty.chunks.join("");
    expect(drawn).toContain("loading [");
    expect(drawn).toMatch(/100% 4\/4 ETA/);
    let now = 0;
    const plain = sink(true);
    const lines = createProgress({ stream: plain.stream, plain: true, intervalMs: 10, now: () => now });
    now = 20;
    lines.update(1, 2, "x");
    expect(plain.chunks).toEqual(["x: 1/2 (50%), ETA 0s, 0s elapsed\n"]);
  });
});
