export { runMctsSuite, type BenchRow, type MctsSuiteOptions } from "./mcts-suite.js";
export { formatTable, reportObject } from "./report.js";
export { collectGarbage, gitCommit, machineInfo, memoryInUse, type MachineInfo } from "./machine.js";
