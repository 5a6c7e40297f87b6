import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveDataDir } from "@foresight/dialogue";
import { cliVersion, runCli } from "./cli.js";
import { commands } from "./commands/index.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("foresight CLI", () => {
  it("lists commands with --help, and bare `foresight` prints the same help with exit 0", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("corpus stats");
    const bare = await run([]);
    expect(bare).toEqual({ code: 0, out: help.out, err: "" });
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
  });

  it("prints its version", async () => {
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await run(["--version"])).toEqual({ code: 0, out: cliVersion(), err: "" });
  });

  it("shows a group's commands with `<group> --help`, `help <group>` and a bare group", async () => {
    for (const argv of [["sac", "--help"], ["help", "sac"], ["sac"]]) {
      const result = await run(argv);
      expect(result.code, argv.join(" ")).toBe(0);
      expect(result.out).toContain("Commands of sac:");
      for (const name of ["sac annotate", "sac export", "sac stats", "sac dpo"]) expect(result.out).toContain(name);
      expect(result.out).not.toContain("corpus stats");
    }
    const command = await run(["help", "simulate"]);
    expect(command.out).toContain("Usage: foresight simulate <p4g|chat|sop>");
    expect(command.out).toContain("simulate multiwoz");
  });

  it("suggests the nearest command and flag", async () => {
    expect((await run(["simulat", "chat"])).err).toContain("did you mean `foresight simulate`?");
    const sub = await run(["corpus", "stat"]);
    expect(sub.code).toBe(2);
    expect(sub.err).toContain('unknown command "corpus stat"; did you mean `foresight corpus stats`?');
    const flag = await run(["corpus", "stats", "--jsn"]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("unknown flag --jsn; did you mean --json?");
    expect(flag.err.split("\n")).toHaveLength(2);
  });

  it("lists every command lazily with the summary its module declares", async () => {
    for (const entry of commands) {
      expect("load" in entry, entry.path.join(" ")).toBe(true);
      if (!("load" in entry)) continue;
      const command = await entry.load();
      expect(command.path).toEqual(entry.path);
      expect(command.summary).toBe(entry.summary);
    }
  });

  it("answers --help without loading any command's dependencies", () => {
    // How fast is measured by hand, not in a timed test (about 0.2 s here against about 3 s before commands were
    // lazy); what makes it fast is checked here: the command list and --help load no command module.
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    if (!existsSync(main)) throw new Error(`${main} missing; run pnpm build first`);
    const result = spawnSync(process.execPath, [main, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("bench semantic");
    // onnxruntime (CommonJS) would show in the require cache once a module that needs it is loaded.
    const probe = (module: string, run: string) =>
      spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(module)}); ${run}; const { createRequire } = await import("node:module"); console.log(Object.keys(createRequire(process.cwd() + "/").cache).filter((k) => k.includes("onnxruntime")).length)`,
        ],
        { encoding: "utf8" },
      ).stdout.trim();
    expect(probe(main.replace(/main\.js$/, "cli.js"), `await m.runCli(["--help"], { out() {}, err() {} })`)).toBe("0");
    expect(Number(probe(main.replace(/main\.js$/, "commands/bench-semantic.js"), ""))).toBeGreaterThan(0); // the probe can see it
  });

  it("refuses out-of-range and fractional seeds with one message everywhere, and takes a negative number as a value", async () => {
    for (const argv of [
      ["simulate", "chat", "--seed", "-1"],
      ["simulate", "multiwoz", "--seed", "4294967296"],
      ["bench", "mcts", "--seed", "1.7"],
      ["bench", "semantic", "--seed", "1e3"],
      ["sac", "annotate", "--corpus", "dailydialog", "--seed", "-1"],
      ["train", "encoder", "--seed", "-5", "--tiny", "--out", tmpdir()],
    ]) {
      const result = await run(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.err, argv.join(" ")).toMatch(/--seed must be a whole number from 0 to 4294967295, got "(-1|4294967296|1\.7|1e3|-5)"/);
    }
  });

  it("names the path and the problem in one line for a folder given as a file, a file as a folder and an unwritable --out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-cli-paths-"));
    try {
      const file = join(dir, "plain.txt");
      writeFileSync(file, "x");
      const folderAsFile = await run(["evaluate", "multiwoz", "--file", dir]);
      expect(folderAsFile.code).toBe(1);
      expect(folderAsFile.err).toBe(`foresight evaluate multiwoz: --file ${dir}: is a folder, expected a file`);
      const fileAsFolder = await run(["bench", "semantic", "--models", file]);
      expect(fileAsFolder).toMatchObject({ code: 1, err: `foresight bench semantic: --models ${file}: is a file, expected a folder` });
      // Checked before training starts: nothing is trained, nothing written.
      const out = join(file, "models");
      const unwritable = await run(["train", "encoder", "--tiny", "--out", out]);
      expect(unwritable).toMatchObject({ code: 1, err: `foresight train: --out ${out}: cannot be created, ${file} is a file` });
      const missingManifest = await run(["bench", "semantic", "--models", dir, "--seconds", "0.01"]);
      expect(missingManifest.code).toBe(1);
      expect(missingManifest.err).toContain(`${join(dir, "encoder.json")}: manifest not found`);
      expect(missingManifest.err).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never trains --tiny into the committed models/ without --out", async () => {
    const result = await run(["train", "encoder", "--tiny"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--tiny needs --out DIR");
  });

  it("names the flag or variable that set a missing data folder", async () => {
    const flag = await run(["simulate", "chat", "--data-dir", "/nonexistent/foresight-flag"]);
    expect(flag.code).toBe(1);
    expect(flag.err).toMatch(/corpus folder "dailydialog" not found in the data folder \/nonexistent\/foresight-flag \(from --data-dir\)/);
    const saved = process.env.FORESIGHT_DATA_DIR;
    process.env.FORESIGHT_DATA_DIR = "/nonexistent/foresight-env";
    try {
      const env = await run(["simulate", "chat"]);
      expect(env.err).toMatch(/not found in the data folder \/nonexistent\/foresight-env \(from FORESIGHT_DATA_DIR\)/);
    } finally {
      if (saved === undefined) delete process.env.FORESIGHT_DATA_DIR;
      else process.env.FORESIGHT_DATA_DIR = saved;
    }
  });

  it("resolves the default data folder from the workspace root, not the working directory", () => {
    const saved = process.env.FORESIGHT_DATA_DIR;
    const cwd = process.cwd();
    delete process.env.FORESIGHT_DATA_DIR;
    try {
      const fromHere = resolveDataDir();
      process.chdir(tmpdir());
      expect(resolveDataDir()).toBe(fromHere);
    } finally {
      process.chdir(cwd);
      if (saved !== undefined) process.env.FORESIGHT_DATA_DIR = saved;
    }
  });

  it("counts a DailyDialog test split and a skipped empty SOPDAIL dialogue in corpus stats", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "foresight-cli-stats-"));
    try {
      mkdirSync(join(dataDir, "dailydialog"));
      const line = (split: string, id: number) =>
        JSON.stringify({
          dataset: "dailydialog",
          data_split: split,
          dialogue_id: `dailydialog-${split}-${id}`,
          original_id: `${split}-${id}`,
          domains: ["Work"],
          turns: [{ speaker: "user", utterance: "Hi.", utt_idx: 0, emotion: "no emotion", dialogue_acts: { binary: [{ intent: "inform", domain: "", slot: "" }], categorical: [], "non-categorical": [] } }],
        });
      writeFileSync(join(dataDir, "dailydialog", "dialogues.jsonl.gz"), gzipSync([line("train", 0), line("test", 0), line("test", 1), "{broken"].join("\n")));
      const result = await run(["corpus", "stats", "--json", "--data-dir", dataDir]);
      const { corpora } = JSON.parse(result.out);
      expect(corpora.dailydialog.test).toMatchObject({ dialogues: 2 });
      expect(corpora.dailydialog.train).toMatchObject({ dialogues: 1 });
      expect(corpora.dailydialog.validation).toBeUndefined();
      expect(corpora.dailydialog.all).toMatchObject({ dialogues: 3, skipped: 1 });
      const strict = await run(["corpus", "stats", "--json", "--strict", "--data-dir", dataDir]);
      expect(JSON.parse(strict.out).corpora.dailydialog.all.error).toMatch(/line 4: malformed JSON/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // About 20 s on 2 loaded cores (it loads every corpus): room for a slower CI machine.
  it("reports every shared corpus with its real counts", { timeout: 180_000 }, async () => {
    const dataDir = resolveDataDir();
    if (!existsSync(dataDir)) throw new Error(`shared data folder missing at ${dataDir}; set FORESIGHT_DATA_DIR`);
    const result = await run(["corpus", "stats", "--json"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const { corpora } = JSON.parse(result.out);
    expect(corpora.p4g.annotated.dialogues).toBe(250);
    expect(corpora.p4g.annotated.donationRate).toBeGreaterThan(0);
    expect(corpora.p4g.annotated.donationRate).toBeLessThan(1);
    expect(corpora.p4g.full.dialogues).toBe(967);
    expect(corpora.multiwoz.val.dialoguesWithGoals).toBe(999);
    expect(corpora.dailydialog.all.dialogues).toBe(12118);
    expect(corpora.sopdail.all.tasks).toBe(40);
    expect(corpora.sopdail.all.dialogues).toBe(2370);
    expect(corpora.sgd.test).toEqual({ services: 21, dialogues: 51, turns: 784, actVocabularySize: 17 });
  });

  it("fails clearly when the data folder is missing", async () => {
    const result = await run(["corpus", "stats", "--json", "--data-dir", "/nonexistent/foresight-data"]);
    expect(result.code).toBe(1);
    const { corpora } = JSON.parse(result.out);
    expect(corpora.p4g.annotated.error).toMatch(/nonexistent\/foresight-data/);
    expect(corpora.dailydialog.all.error).toMatch(/dailydialog/);
    expect(corpora.sgd.test.error).toMatch(/corpus folder "sgd" not found/);
  });
});
