import { loadMultiWoz } from "@foresight/dialogue";
import { multiWozSuccess } from "./dist/data/multiwoz-value.js";
const ds = loadMultiWoz();
const s = ds.map(multiWozSuccess);
console.log(ds.length, s.filter(Boolean).length);
