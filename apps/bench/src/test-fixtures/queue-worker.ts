// Child-process entry for the queue test: a BullMQ worker running the fake suite (slow episodes); prints
// "start <jobId>" when an episode starts so the test can kill it mid-episode. With HANG_ON n, its n-th episode never
// ends, so a kill after that start lands mid-episode however slow the machine.
import { setTimeout as sleep } from "node:timers/promises";
import { startWorker } from "../queue/queue.js";
import { fakeSuite } from "./fake-suite.js";

const [url, queueName, delay, hangOn] = process.argv.slice(2);
const suite = fakeSuite({ delayMs: Number(delay ?? 100) });
let started = 0;
const worker = await startWorker({
  url: url as string,
  queueName,
  suites: [{ ...suite, run: (...args: Parameters<typeof suite.run>) => (++started === Number(hangOn) ? sleep(600_000).then(() => suite.run(...args)) : suite.run(...args)) }],
  commit: "test",
  lockDurationMs: 1000,
  stalledIntervalMs: 300,
  onStart: (_spec, jobId) => process.stdout.write(`start ${jobId}\n`),
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
