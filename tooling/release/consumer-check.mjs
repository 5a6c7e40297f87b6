// Run inside an empty npm project that installed the published packages: checks that they work outside the workspace.
import { Mcts, TicTacToe } from "@foresight/mcts-core";
import { loadDefaultWorldModel, resolveModelsDir } from "@foresight/semantic-models";

if (process.env.FORESIGHT_MODELS_DIR) throw new Error("FORESIGHT_MODELS_DIR must be unset for this check");
const search = new Mcts(new TicTacToe(), TicTacToe.parse("XX.OO...."), { players: 2, seed: 1 }).search({ iterations: 2000 });
if (search.action !== 2) throw new Error(`mcts-core: expected X to complete the top row (2), got ${search.action}`);
console.log(`mcts-core: ${search.iterations} simulations, chose ${search.action}`);
const dir = resolveModelsDir();
if (!dir.includes("node_modules")) throw new Error(`default models resolved outside the installed packages: ${dir}`);
const world = await loadDefaultWorldModel();
console.log(`semantic-models: default world model loaded from ${dir}`);
await world.release?.();
