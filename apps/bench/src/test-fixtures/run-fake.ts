// Child-process entry for the kill-and-resume test: runs the fake suite (slow episodes) into the folder given.
// With STALL_AFTER, every episode after that many never ends, so the test's kill lands mid-run however slow the machine.
import { setTimeout as sleep } from "node:timers/promises";
import { runSuite } from "../runner/run-suite.js";
import { fakeSuite } from "./fake-suite.js";

const [outDir, delay, stallAfter] = process.argv.slice(2);
const suite = fakeSuite({ delayMs: Number(delay ?? 50) });
let started = 0;
const stalling = stallAfter === undefined ? suite : { ...suite, run: (...args: Parameters<typeof suite.run>) => (++started > Number(stallAfter) ? sleep(600_000).then(() => suite.run(...args)) : suite.run(...args)) };
await runSuite({ suite: stalling, scale: "quick", seed: 7, outDir: outDir as string, commit: "test" });
