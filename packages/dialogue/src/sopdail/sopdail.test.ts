import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CorpusError,
  SOPDAIL_GLOSS,
  SOPDAIL_SINK,
  SOPDAIL_START,
  glossSopdail,
  loadSopdailDialogues,
  loadSopdailTasks,
  resolveDataDir,
  sopdailNodeOf,
  splitSopdailNode,
  type CorpusWarning,
  type Dialogue,
  type SopdailTask,
} from "../index.js";

const dataDir = resolveDataDir();
let tasks: SopdailTask[] = [];
let dialogues: Dialogue[] = [];

beforeAll(() => {
  // The loaders throw a CorpusError naming the folder when the shared corpus is absent, failing the suite loudly.
  tasks = loadSopdailTasks({ dataDir });
  dialogues = loadSopdailDialogues({ dataDir, tasks });
});

function taskById(id: string): SopdailTask {
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new Error(`task ${id} not loaded`);
  return task;
}

/** Expects `fn` to throw a CorpusError and returns it. */
function corpusErrorOf(fn: () => unknown): CorpusError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CorpusError);
    return error as CorpusError;
  }
  throw new Error("expected a CorpusError");
}

describe("loadSopdailTasks on the real corpus", () => {
  it("loads all 40 tasks, sorted, with typed profiles", () => {
    expect(tasks).toHaveLength(40);
    expect(tasks.map((t) => t.id)).toEqual([...tasks.map((t) => t.id)].sort());
    const checkIn = taskById("airport-check_in");
    expect(checkIn.domain).toBe("airport");
    expect(checkIn.task).toBe("check_in");
    expect(checkIn.agentIdentity).toBe("冬夏航空电话值机办理业务员");
    expect(checkIn.agentGoal).toBe("为需要值机的客户值机和选座");
    expect(checkIn.successMarks).toEqual(["代理.告知值机成功"]);
    expect(checkIn.userProfile.订单号).toBe("C190125");
    expect(Object.keys(checkIn.knowledge)).toContain("其他知识");
    expect(checkIn.knowledge).not.toHaveProperty("代理身份");
    expect(checkIn.agentActions.slice(0, 3)).toEqual(["开始", "询问客户需求", "核对身份"]);
    expect(checkIn.sop.adjacencyList[SOPDAIL_START]).toEqual(["代理.询问客户需求"]);
    expect(checkIn.sop.mermaid.startsWith("graph TD\n")).toBe(true);
  });

  it("normalises a single success mark to a list", () => {
    expect(taskById("community-competition").successMarks).toEqual(["代理.告知报名成功"]);
    expect(tasks.every((t) => t.successMarks.length > 0)).toBe(true);
  });

  it("keeps the SOP quirks as stored (sink only as a successor, two sources)", () => {
    const inquiry = taskById("bank-agent_large_transaction_inquiry").sop.adjacencyList;
    expect(Object.hasOwn(inquiry, SOPDAIL_SINK)).toBe(false);
    expect(Object.values(inquiry).some((successors) => successors.includes(SOPDAIL_SINK))).toBe(true);
    const repair = taskById("white_goods-repair_appointment").sop.adjacencyList;
    const successors = new Set(Object.values(repair).flat());
    expect(Object.keys(repair).filter((node) => !successors.has(node)).sort()).toEqual(
      ["代理.开始", "代理.询问是否重新安排维修"].sort(),
    );
  });
});

describe("loadSopdailDialogues on the real corpus", () => {
  it("loads all 2,370 dialogues as domain sop with one annotated node per turn", () => {
    expect(dialogues).toHaveLength(2370);
    expect(dialogues.reduce((n, d) => n + d.turns.length, 0)).toBe(35901);
    expect(new Set(dialogues.map((d) => d.id)).size).toBe(2370);
    for (const dialogue of dialogues) {
      expect(dialogue.domain).toBe("sop");
      expect(dialogue.turns[0]?.speaker).toBe("system");
      for (const turn of dialogue.turns) {
        const node = sopdailNodeOf(turn);
        expect(splitSopdailNode(node ?? "")?.role).toBe(turn.speaker === "system" ? "agent" : "user");
        expect(turn.acts?.[0]?.intent).toBe(turn.state?.label);
      }
    }
    expect(dialogues.filter((d) => d.metadata?.task === "airport-check_in")).toHaveLength(149);
  });

  it("reads the first turns of a known dialogue exactly", () => {
    const dialogue = dialogues.find((d) => d.id === "airport-check_in-dialogue_0527225ddd92");
    expect(dialogue).toBeDefined();
    expect(dialogue?.turns.slice(0, 4).map((t) => [t.speaker, t.text, t.state?.sopNode])).toEqual([
      ["system", "您好，这里是冬夏航空电话值机办理中心，请问有什么可以帮您的吗？", "代理.打招呼"],
      ["user", "您好，我是施玉*。", "用户.打招呼"],
      ["system", "施先生，请问您需要办理什么业务呢？", "代理.询问客户需求"],
      ["user", "我想办理值机。", "用户.要求值机"],
    ]);
    expect(dialogue?.turns[5]?.state).toEqual({ sopNode: "用户.身份信息错误", label: "身份信息错误", inVocabulary: true });
    expect(dialogue?.metadata).toMatchObject({ corpus: "sopdail", task: "airport-check_in", sessionId: "0527225ddd92" });
    expect(dialogue?.metadata).not.toHaveProperty("sop");
    expect(dialogue?.goal).toEqual({
      agentIdentity: "冬夏航空电话值机办理业务员",
      agentGoal: "为需要值机的客户值机和选座",
      successMarks: ["代理.告知值机成功"],
    });
    // identity check failed, so check-in never succeeded
    expect(dialogue?.outcome).toEqual({ success: false, successMarksReached: [] });
  });

  it("attaches the dialogue's own SOP only where it was edited away from the task's", () => {
    const edited = dialogues.filter((d) => d.metadata?.sop !== undefined);
    expect(edited).toHaveLength(243);
    expect([...new Set(edited.map((d) => d.metadata?.task))].sort()).toEqual([
      "cinema-movie_ticket_purchase",
      "domestic_service-complain",
      "entertainment-ktv_complain_consult",
      "pet-complain_consult",
    ]);
    const cinema = edited.find((d) => d.metadata?.task === "cinema-movie_ticket_purchase");
    const ownSop = cinema?.metadata?.sop as SopdailTask["sop"];
    expect(ownSop.adjacencyList["代理.确定座位号"]).toContain("用户.确定座位号");
    expect(taskById("cinema-movie_ticket_purchase").sop.adjacencyList["代理.确定座位号"]).toContain("用户.确认座位号");
    expect(cinema?.metadata?.userStates).toContain("确定座位号");
  });

  it("marks success when a success mark is reached", () => {
    const successes = dialogues.filter((d) => d.outcome?.success === true);
    expect(successes.length).toBeGreaterThan(0);
    expect(successes.length).toBeLessThan(dialogues.length);
    for (const dialogue of successes.slice(0, 50)) {
      const reached = dialogue.outcome?.successMarksReached as string[];
      const nodes = dialogue.turns.map(sopdailNodeOf);
      expect(reached.every((mark) => nodes.includes(mark))).toBe(true);
    }
  });

  it("filters by task and rejects an unknown task by name", () => {
    const travel = loadSopdailDialogues({ dataDir, tasks, task: "travel-booking" });
    expect(travel).toHaveLength(29);
    expect(travel.every((d) => d.metadata?.task === "travel-booking")).toBe(true);
    const two = loadSopdailDialogues({ dataDir, tasks, task: ["travel-booking", "telecom-broadband_upgrade"] });
    expect(two).toHaveLength(59);
    const error = corpusErrorOf(() => loadSopdailDialogues({ dataDir, tasks, task: "airport-check_out" }));
    expect(error.message).toContain('unknown task "airport-check_out"');
  });
});

describe("SOPDAIL glossary", () => {
  it("glosses the generic nodes and keeps task-specific names", () => {
    expect(SOPDAIL_GLOSS.打招呼).toBe("greet");
    expect(SOPDAIL_GLOSS.排忧解惑).toBe("relieve doubts");
    expect(SOPDAIL_GLOSS.习惯性应答可以继续).toBe('habitual "ok, go on"');
    expect(SOPDAIL_GLOSS.拖延决策).toBe("delays deciding");
    expect(glossSopdail(SOPDAIL_START)).toBe("Agent.start");
    expect(glossSopdail(SOPDAIL_SINK)).toBe("Agent.polite end");
    expect(glossSopdail("用户.没听懂")).toBe("User.did not understand");
    expect(glossSopdail("代理.核对订单号")).toBe("Agent.核对订单号");
    expect(glossSopdail("投诉")).toBe("formal complaint");
  });

  it("has a gloss for every action and state that all 40 tasks share", () => {
    const shared = (pick: (t: SopdailTask) => string[]) =>
      [...new Set(tasks.flatMap(pick))].filter((label) => tasks.every((t) => pick(t).includes(label)));
    const generic = [...shared((t) => t.agentActions), ...shared((t) => t.userStates)];
    expect(generic.length).toBeGreaterThanOrEqual(20);
    expect(generic.filter((label) => SOPDAIL_GLOSS[label] === undefined)).toEqual([]);
  });
});

describe("SOPDAIL loader errors", () => {
  const realTaskFile = () => join(dataDir, "sopdail", "task", "travel-booking.json");

  function tempCorpus(): { root: string; taskDir: string; dialogueDir: string } {
    const root = mkdtempSync(join(tmpdir(), "foresight-sopdail-"));
    const taskDir = join(root, "sopdail", "task");
    const dialogueDir = join(root, "sopdail", "dialogue");
    mkdirSync(taskDir, { recursive: true });
    mkdirSync(dialogueDir, { recursive: true });
    return { root, taskDir, dialogueDir };
  }

  it("names the file and field of a malformed task", () => {
    const { root, taskDir } = tempCorpus();
    const task = JSON.parse(readFileSync(realTaskFile(), "utf8"));
    delete task.conversation_profile.代理目标;
    const file = join(taskDir, "travel-booking.json");
    writeFileSync(file, JSON.stringify(task));
    const error = corpusErrorOf(() => loadSopdailTasks({ dataDir: root, strict: true }));
    expect(error.file).toBe(file);
    expect(error.field).toBe("conversation_profile.代理目标");
    expect(error.message).toContain("travel-booking.json");
  });

  it("names a node without a role prefix and a file name that disagrees with its task", () => {
    const { root, taskDir } = tempCorpus();
    const task = JSON.parse(readFileSync(realTaskFile(), "utf8"));
    task.sop.vertex[2] = "Agent.greet";
    writeFileSync(join(taskDir, "travel-booking.json"), JSON.stringify(task));
    expect(corpusErrorOf(() => loadSopdailTasks({ dataDir: root, strict: true })).field).toBe("sop.vertex.2");
    const { root: root2, taskDir: taskDir2 } = tempCorpus();
    writeFileSync(join(taskDir2, "travel-renamed.json"), readFileSync(realTaskFile()));
    expect(corpusErrorOf(() => loadSopdailTasks({ dataDir: root2, strict: true })).field).toBe("task");
  });

  it("names the file and field of a malformed dialogue and of malformed JSON", () => {
    const { root, taskDir, dialogueDir } = tempCorpus();
    writeFileSync(join(taskDir, "travel-booking.json"), readFileSync(realTaskFile()));
    const good = JSON.parse(readFileSync(join(dataDir, "sopdail", "dialogue", "travel-booking-dialogue_0529114fbd82.json"), "utf8"));
    good.dialogue.dialogues[1].role = "Bot";
    const file = join(dialogueDir, "travel-booking-dialogue_x1.json");
    writeFileSync(file, JSON.stringify(good));
    const error = corpusErrorOf(() => loadSopdailDialogues({ dataDir: root, strict: true }));
    expect(error.file).toBe(file);
    expect(error.field).toBe("dialogue.dialogues.1.role");
    writeFileSync(file, "{ not json");
    expect(corpusErrorOf(() => loadSopdailDialogues({ dataDir: root, strict: true })).message).toMatch(/travel-booking-dialogue_x1\.json: malformed JSON/);
  });

  it("skips a dialogue with an empty dialogues list with a counted, named warning; strict mode fails on it", () => {
    const { root, taskDir, dialogueDir } = tempCorpus();
    writeFileSync(join(taskDir, "travel-booking.json"), readFileSync(realTaskFile()));
    const good = JSON.parse(readFileSync(join(dataDir, "sopdail", "dialogue", "travel-booking-dialogue_0529114fbd82.json"), "utf8"));
    writeFileSync(join(dialogueDir, "travel-booking-dialogue_a1.json"), JSON.stringify(good));
    const emptyFile = join(dialogueDir, "travel-booking-dialogue_a2.json");
    writeFileSync(emptyFile, JSON.stringify({ ...good, dialogue: { dialogues: [] } }));
    writeFileSync(join(dialogueDir, "travel-booking-dialogue_a3.json"), JSON.stringify(good));
    const warnings: CorpusWarning[] = [];
    const loaded = loadSopdailDialogues({ dataDir: root, onWarning: (w) => warnings.push(w) });
    expect(loaded.map((d) => d.id)).toEqual(["travel-booking-dialogue_a1", "travel-booking-dialogue_a3"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ corpus: "sopdail dialogues", where: emptyFile });
    expect(warnings[0]?.message).toMatch(/travel-booking-dialogue_a2\.json \(field dialogue\.dialogues\)/);
    expect(corpusErrorOf(() => loadSopdailDialogues({ dataDir: root, strict: true })).file).toBe(emptyFile);
  });

  it("fails clearly when the folders are missing", () => {
    const missing = join(tmpdir(), "foresight-no-such-data-dir");
    expect(corpusErrorOf(() => loadSopdailTasks({ dataDir: missing })).message).toMatch(/corpus folder "sopdail" not found/);
    const { root, taskDir, dialogueDir } = tempCorpus();
    expect(corpusErrorOf(() => loadSopdailTasks({ dataDir: root })).file).toBe(taskDir);
    writeFileSync(join(taskDir, "travel-booking.json"), readFileSync(realTaskFile()));
    expect(corpusErrorOf(() => loadSopdailDialogues({ dataDir: root })).file).toBe(dialogueDir);
    const noDialogues = mkdtempSync(join(tmpdir(), "foresight-sopdail-"));
    mkdirSync(join(noDialogues, "sopdail", "task"), { recursive: true });
    writeFileSync(join(noDialogues, "sopdail", "task", "travel-booking.json"), readFileSync(realTaskFile()));
    expect(corpusErrorOf(() => loadSopdailDialogues({ dataDir: noDialogues })).message).toMatch(/SOPDAIL folder "dialogue" not found/);
  });
});
