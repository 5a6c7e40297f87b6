// The release test's Verdaccio on 127.0.0.1, on a port the OS assigns as it binds (a port picked first and bound
// later could be taken in between); prints "listening PORT" once it accepts requests.
// Usage: node tooling/release/verdaccio-server.mjs CONFIG_YAML
import { createRequire } from "node:module";

const { runServer } = createRequire(import.meta.url)("verdaccio");
const config = process.argv[2];
if (!config) {
  console.error("usage: verdaccio-server.mjs CONFIG_YAML");
  process.exit(2);
}
const server = await runServer(config);
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
