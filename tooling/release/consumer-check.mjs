// Run inside an empty npm project that installed the published packages: checks that they work outside the workspace.
import { Mcts, TicTacToe } from "@foresight/mcts-core";
import { loadDefaultWorldModel, resolveModelsDir } from "@foresight/semantic-models";

if (process.env.FORESIGHT_MODELS_DIR) throw new Error("FORESIGHT_MODELS_DIR must be unset for this check");
const search = new Mcts(new TicTacToe(), { seed: 1, players: 2 }).search(TicTacToe.initial(), { iterations: 2000 });
console.log(`mcts-core: ${search.iterations} simulations, chose ${search.action}`);
const dir = resolveModelsDir();
if (!dir.includes("node_modules")) throw new Error(`default models resolved outside the installed packages: ${dir}`);
const world = await loadDefaultWorldModel();
console.log(`semantic-models: default world model loaded from ${dir}`);
await world.release?.();
