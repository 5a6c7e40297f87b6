// Child-process entry for the kill-and-resume test: runs the fake suite (slow episodes) into the folder given.
import { runSuite } from "../runner/run-suite.js";
import { fakeSuite } from "./fake-suite.js";

const [outDir, delay] = process.argv.slice(2);
await runSuite({ suite: fakeSuite({ delayMs: Number(delay ?? 50) }), scale: "quick", seed: 7, outDir: outDir as string, commit: "test" });
