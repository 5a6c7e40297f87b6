import { execFileSync } from "node:child_process";
import os from "node:os";
import v8 from "node:v8";
import vm from "node:vm";

/** The machine a measurement ran on. */
export interface MachineInfo {
  /** CPU model (`os.cpus()[0].model`). */
  cpu: string;
  /** Logical cores. */
  cores: number;
  /** Node.js version. */
  node: string;
  /** `os.platform()`/`os.arch()`. */
  platform: string;
  /** One-minute load average when the suite started (the machine may be shared). */
  loadAverage: number;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()}/${os.arch()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The current git commit (`git rev-parse HEAD`), or "unknown" outside a repository. */
export function gitCommit(cwd: string = process.cwd()): string {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || "unknown";
  } catch {
    return "unknown";
  }
}

let collector: (() => void) | undefined | null = null;

/** A full garbage collection when the runtime allows one (enabled on demand); false when it does not. */
export function collectGarbage(): boolean {
  if (collector === null) {
    try {
      v8.setFlagsFromString("--expose-gc");
      collector = vm.runInNewContext("gc") as () => void;
    } catch {
      collector = undefined;
    }
  }
  if (!collector) return false;
  collector();
  return true;
}

/** Heap plus array-buffer bytes in use (after a full collection when possible). */
export function memoryInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/**
 * Heap plus array-buffer bytes in use once the runtime has settled: collects, lets a task pass (array buffers
 * freed by a collection are swept on a background thread, so they are still counted right after it) and repeats
 * until two readings agree within 64 KiB (at most 10 rounds).
 */
export async function settledMemoryInUse(): Promise<number> {
  let last = -1;
  for (let round = 0; round < 10; round++) {
    collectGarbage();
    await nextTask();
    const usage = process.memoryUsage();
    const now = usage.heapUsed + usage.arrayBuffers;
    if (Math.abs(now - last) < 64 * 1024) return now;
    last = now;
  }
  return last;
}

/** This machine in one stable line (no load average), as bench reports record it. */
export function machineLabel(info: MachineInfo = machineInfo()): string {
  return `${info.cpu} (${info.cores} cores, ${info.platform}, node ${info.node})`;
}
