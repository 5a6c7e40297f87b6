/// <reference lib="dom" />
// (The DOM types are for the functions that run in the browser: page.evaluate, waitForFunction.)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plannerNames } from "@foresight/planners";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import { registrySource } from "./planner-pool.js";

const chromiumScript = join(import.meta.dirname, "../../../tooling/scripts/chromium.sh");

/** Debian's chromium (installed by the repo's script when missing); a test without it fails loudly. */
function chromiumPath(): string {
  try {
    return execFileSync("bash", [chromiumScript, "install"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").at(-1)!;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`the viewer test needs Chromium and tooling/scripts/chromium.sh could not install it: ${stderr || (error as Error).message}`);
  }
}

// Flags that keep the browser off the network: every host name but 127.0.0.1 fails to resolve, and the background
// services (updates, sync, safe browsing, metrics) are off.
const OFFLINE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--no-first-run",
  "--safebrowsing-disable-auto-update",
];

let server: ForesightServer;
let browser: Browser;
let base: string;
const dir = mkdtempSync(join(tmpdir(), "foresight-viewer-"));
let keep = false;

beforeAll(async () => {
  const executablePath = chromiumPath();
  server = await buildServer({ logLevel: "silent", rateLimitPerMinute: 0 }, { planners: registrySource(plannerNames), upstream: () => undefined });
  base = await server.app.listen({ host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({ executablePath, headless: true, args: OFFLINE_ARGS });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (!keep) rmSync(dir, { recursive: true, force: true });
});

const conversation = { turns: [{ speaker: "user", text: "I finally finished the marathon last weekend!" }] };
const candidates = ["Congratulations! How did it feel to cross the finish line?", "Nice.", "What was your time?", "I could never do that.", "Did you train for long?"];

describe("search-tree viewer in headless Chromium", () => {
  it("draws SCOPE's search tree, one circle per node, shows a node's details on click, and renders in colour", async () => {
    onTestFailed(() => {
      keep = true;
      console.error(`viewer test artefacts kept in ${dir}`);
    });
    const planned = await fetch(`${base}/v1/plan`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ planner: "scope", conversation, candidates, seed: 5, budget: { iterations: 300, timeMs: 20_000 }, trace: true }) });
    expect(planned.status).toBe(200);
    const { decision } = (await planned.json()) as { decision: { traceId: string; reply: string; stats: { simulations: number } } };
    expect(decision.stats.simulations).toBe(300);
    const trace = (await (await fetch(`${base}/v1/traces/${decision.traceId}`)).json()) as { tree: { nodes: { id: number; depth: number; visits: number; action: unknown }[] } };
    const nodes = trace.tree.nodes;
    expect(nodes.length).toBeGreaterThan(candidates.length + 1);
    expect(nodes[0]!.visits).toBe(300);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`${base}/viewer?trace=${encodeURIComponent(decision.traceId)}`);
    await page.waitForFunction(() => document.body.dataset.loaded === "1", undefined, { timeout: 30_000 });
    expect(await page.locator("svg#tree circle").count()).toBe(nodes.length);
    expect(await page.locator("#status").textContent()).toContain(`${nodes.length} nodes`);

    // Clicking a first-level node shows its candidate text and statistics, and outlines it.
    const node = nodes.find((n) => n.depth === 1)!;
    await page.locator(`svg#tree circle[data-id="${node.id}"]`).click();
    const info = (await page.locator("#info").textContent())!;
    expect(info).toContain(`node ${node.id}`);
    expect(info).toContain(`visits ${node.visits}`);
    expect(info).toContain(String(node.action));
    expect(await page.locator("circle.sel").getAttribute("data-id")).toBe(String(node.id));
    // The root's details list its edges: every candidate.
    await page.locator('svg#tree circle[data-id="0"]').click();
    const rootInfo = (await page.locator("#info").textContent())!;
    for (const text of candidates) expect(rootInfo).toContain(text);

    const png = await page.screenshot({ fullPage: false });
    writeFileSync(join(dir, "viewer.png"), png);
    // The pixels, decoded by the browser's own PNG decoder on a blank page: many colours, and coloured node pixels.
    const blank = await browser.newPage();
    const pixels = await blank.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const { data: rgba } = context.getImageData(0, 0, image.width, image.height);
      const colours = new Set<number>();
      let saturated = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
        colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) saturated++;
      }
      return { width: image.width, height: image.height, colours: colours.size, saturated };
    }, png.toString("base64"));
    expect(pixels).toMatchObject({ width: 1280, height: 800 });
    expect(pixels.colours).toBeGreaterThanOrEqual(8);
    expect(pixels.saturated).toBeGreaterThan(500);
    // Nothing left the machine: every request went to the server on 127.0.0.1.
    expect(requests.every((url) => url.startsWith(base))).toBe(true);
  });
});
