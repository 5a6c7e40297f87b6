// Child-process entry for the queue test: a BullMQ worker running the fake suite (slow episodes); prints
// "start <jobId>" when an episode starts so the test can kill it mid-episode.
import { startWorker } from "../queue/queue.js";
import { fakeSuite } from "./fake-suite.js";

const [url, queueName, delay] = process.argv.slice(2);
const worker = await startWorker({
  url: url as string,
  queueName,
  suites: [fakeSuite({ delayMs: Number(delay ?? 100) })],
  commit: "test",
  lockDurationMs: 1000,
  stalledIntervalMs: 300,
  onStart: (_spec, jobId) => process.stdout.write(`start ${jobId}\n`),
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
