export { formatSemanticTable, runSemanticSuite, semanticReport, type SemanticBenchRow, type SemanticSuiteOptions } from "./semantic-suite.js";
