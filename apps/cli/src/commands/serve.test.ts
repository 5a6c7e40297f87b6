import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCapturing as run } from "../test-fixtures/run-cli.js";

describe("foresight serve", () => {
  it("says in one line that the port is in use, without a stack trace", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = await run(["serve", "--port", String(port)]);
      expect(result.code).toBe(1);
      expect(result.err).toBe(`foresight serve: port ${port} on 127.0.0.1 is already in use; stop what holds it or pick another with --port (0 = any free port)`);
    } finally {
      holder.close();
    }
  });

  it("refuses several workers without Redis, whose sessions they could not share", async () => {
    const result = await run(["serve", "--workers", "2"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--workers above 1 needs --redis URL");
  });
});
