export { runMctsSuite, type BenchRow, type MctsSuiteOptions } from "./mcts-suite.js";
export { baselineRatios, formatTable, reportObject, type BenchRatio } from "./report.js";
export { collectGarbage, gitCommit, machineInfo, memoryInUse, settledMemoryInUse, type MachineInfo } from "./machine.js";
export { ObjectTreeUct, UctNode, type BaselineBudget, type BaselineResult, type ObjectTreeUctOptions } from "./baselines/object-tree-uct.js";
export { baselineTreeMemory, growToNodes, timeFreshSearchesSideBySide, timeTicTacToeSideBySide, treeMemorySideBySide, type FreshSearchSpeed, type SideBySideSpeed, type TimedRun, type TreeMemory } from "./baseline-compare.js";
export { ArrayBoardTicTacToe, type ArrayBoard } from "./baselines/array-board-tictactoe.js";
export * from "./semantic/index.js";
