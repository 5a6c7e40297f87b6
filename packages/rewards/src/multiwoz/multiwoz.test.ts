import {
  loadMultiWoz,
  loadMultiWozDatabase,
  resolveDataDir,
  type MultiWozDialogue,
  type Turn,
} from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import {
  MultiWozEvaluator,
  canonicalInformValue,
  corpusCombinedScore,
  evaluateMultiWozCorpus,
  evaluateMultiWozSession,
  interactiveCombinedScore,
  isWellFormedInform,
  officialInformSuccess,
  officialRequestables,
  partialRatio,
  resolveTrain,
  resolveVenue,
} from "./index.js";

// Fails loudly (CorpusError naming the folder) when the shared corpus is absent.
const dataDir = resolveDataDir();
const db = loadMultiWozDatabase({ dataDir });
let dialogues: MultiWozDialogue[];
beforeAll(() => {
  dialogues = loadMultiWoz({ dataDir, ids: ["PMUL1635", "PMUL4438", "SNG0907", "MUL0476", "PMUL1181", "MUL2690"] });
});
const byId = (id: string): MultiWozDialogue => dialogues.find((d) => d.id === id)!;

describe("value checks and helpers", () => {
  it("applies ConvLab's format checks after canonicalising human phrasing", () => {
    expect(canonicalInformValue("area", "centre of town")).toBe("centre");
    expect(canonicalInformValue("area", "nearby the restaurant")).toBe("nearby the restaurant");
    expect(canonicalInformValue("pricerange", "moderately - priced")).toBe("moderate");
    expect(canonicalInformValue("price", "10.1 GBP")).toBe("10.1 pounds");
    expect(canonicalInformValue("stars", "four")).toBe("4");
    expect(canonicalInformValue("leaveAt", "9:29")).toBe("09:29");
    expect(isWellFormedInform("train", "leaveAt", "throughout the day")).toBe(false);
    expect(isWellFormedInform("train", "leaveAt", "24:00")).toBe(true);
    expect(isWellFormedInform("hotel", "phone", "0122335")).toBe(false);
    expect(isWellFormedInform("restaurant", "phone", "0122335")).toBe(true);
    expect(isWellFormedInform("hotel", "postcode", "CB4 1DA")).toBe(true);
    expect(isWellFormedInform("train", "trainID", "TR1567")).toBe(true);
    expect(isWellFormedInform("attraction", "pricerange", "whatever")).toBe(true);
  });

  it("computes partial LCS ratios by hand", () => {
    expect(partialRatio("abc", "xxABCxx")).toBe(100);
    expect(partialRatio("abcd", "abxd")).toBe(75); // LCS 3 → 2·3 / 8
    expect(partialRatio("", "")).toBe(100);
    expect(partialRatio("a", "")).toBe(0);
  });

  it("resolves repeated train ids by context and venue names by spelling", () => {
    expect(resolveTrain(db, "TR9557", { day: "thursday" })?.destination).toBe("birmingham new street");
    expect(resolveTrain(db, "TR9557")?.day).toBe("wednesday");
    expect(resolveVenue(db, "attraction", "the cafe jello")?.name).toBe("cafe jello gallery");
    expect(resolveVenue(db, "hotel", "Warkworth House")?.name).toBe("warkworth house");
    expect(resolveVenue(db, "hotel", "zz")).toBeUndefined();
  });

  it("combines scores as SMCTS-TOD and the corpus benchmark define", () => {
    expect(interactiveCombinedScore({ inform: 0.8, success: 0.6, book: 0.4 })).toBeCloseTo(0.65, 12);
    expect(corpusCombinedScore({ bleu: 20, inform: 80, success: 70 })).toBe(95);
  });
});

describe("ConvLab's evaluator on real validation dialogues", () => {
  it("scores PMUL1635's human system side as successful (hand-checked counts)", () => {
    // informed: pricerange (hotel, unrequested → FP), leaveAt "throughout the day" (malformed → FP),
    // leaveAt 17:29, duration 38 minutes, price 10.1 GBP (requested → 3 TP); arriveBy is a constraint.
    const result = evaluateMultiWozSession(byId("PMUL1635"), db);
    expect(result.inform).toEqual({ precision: 0.6, recall: 1, f1: 0.7499999999999999, truePositives: 3, falsePositives: 2, falseNegatives: 0 });
    expect(result.bookRate).toBe(1);
    expect(result.finalGoal).toBe(1);
    expect(result.success).toBe(true);
    // ConvLab keeps the first booking: the hotel was first booked for 1 person, Friday, 1 night (goal: 3, Monday, 4)
    expect(result.bookConstraints).toBe(0);
    expect(result.strictSuccess).toBe(false);
    expect(result.domainSuccess).toEqual({ hotel: true, train: true });
    expect(result.booked).toEqual({ hotel: "warkworth house", train: "TR1567" });
  });

  it("fails PMUL4438, whose human agent booked a Friday train for a Wednesday goal", () => {
    const result = evaluateMultiWozSession(byId("PMUL4438"), db);
    expect(result.booked.train).toBe("TR9390");
    // train booking: day friday ≠ wednesday, leaveAt 16:24 ≥ 15:45 → 1/2; the restaurant booking matches → 1
    expect(result.bookRate).toBe(0.75);
    // the booking slots tracked when booking match the goal: restaurant 8 / wednesday / 20:15, train 8 people
    expect(result.bookConstraints).toBe(1);
    expect(result.success).toBe(false);
    expect(result.domainSuccess.train).toBe(false);
  });

  it("fails a dialogue once its bookings are removed", () => {
    const original = byId("PMUL1635");
    const turns: Turn[] = original.turns.map((turn) => ({
      ...turn,
      acts: (turn.acts ?? []).filter((act) => act.slot !== "Ref"),
      ...(turn.state ? { state: Object.fromEntries(Object.entries(turn.state).map(([d, s]) => [d, { ...(s as object), booked: [] }])) } : {}),
    }));
    const result = evaluateMultiWozSession({ goal: original.goal, turns }, db);
    expect(result.bookRate).toBe(0);
    expect(result.success).toBe(false);
  });

  it("books through ConvLab's 8-digit database index and through registered references", () => {
    const evaluator = new MultiWozEvaluator(db);
    const goal = {
      domains: { restaurant: { info: { area: "centre", pricerange: "cheap", food: "chinese" }, failInfo: {}, reqt: ["phone"], book: { people: "2" } } },
      message: [],
    };
    const charlie = db.entities("restaurant").findIndex((e) => e.name === "charlie chan");
    evaluator.reset(goal);
    evaluator.addUserActs([{ domain: "Restaurant", intent: "Inform", slot: "Food", value: "chinese" }]);
    evaluator.addSystemActs([
      { domain: "Restaurant", intent: "Inform", slot: "Phone", value: "01223361763" },
      { domain: "Booking", intent: "Book", slot: "Ref", value: String(charlie).padStart(8, "0") },
    ]);
    expect(evaluator.evaluate()).toMatchObject({ bookRate: 1, finalGoal: 1, success: true, booked: { restaurant: "charlie chan" } });

    evaluator.reset(goal);
    const expensive = db.query("restaurant", { name: "the golden curry" })[0]!;
    evaluator.registerBooking("restaurant", "ABCD1234", expensive);
    evaluator.addSystemActs([
      { domain: "Restaurant", intent: "Inform", slot: "Phone", value: "01223329432" },
      { domain: "Booking", intent: "Book", slot: "Ref", value: "ABCD1234" },
    ]);
    const result = evaluator.evaluate();
    expect(result.bookRate).toBeCloseTo(1 / 3, 12); // area matches; food and price range do not
    expect(result.finalGoal).toBe(0);
    expect(result.success).toBe(false);
  });

  it("checks booking constraints against the belief state held when booking (ConvLab-3's strict success)", () => {
    const evaluator = new MultiWozEvaluator(db);
    const goal = {
      domains: { restaurant: { info: { name: "charlie chan" }, failInfo: {}, reqt: [], book: { people: "2", day: "monday" } } },
      message: [],
    };
    const charlie = String(db.entities("restaurant").findIndex((e) => e.name === "charlie chan")).padStart(8, "0");
    const belief = (day: string) => ({ restaurant: { semi: { name: "charlie chan" }, book: { people: "2", day, time: "" }, booked: [] } });
    const run = (state?: ReturnType<typeof belief>) => {
      evaluator.reset(goal);
      evaluator.addUserActs([{ domain: "Restaurant", intent: "Inform", slot: "Name", value: "charlie chan" }]);
      evaluator.addSystemActs([{ domain: "Booking", intent: "Book", slot: "Ref", value: charlie }], state);
      return evaluator.evaluate();
    };
    expect(run(belief("tuesday"))).toMatchObject({ bookRate: 1, bookConstraints: 0.5, success: true, strictSuccess: false });
    expect(run(belief("Monday"))).toMatchObject({ bookConstraints: 1, success: true, strictSuccess: true });
    expect(run()).toMatchObject({ bookConstraints: 1, strictSuccess: true }); // no state tracked: nothing to contradict
    evaluator.reset(goal);
    expect(evaluator.bookConstraints()).toBe(0); // a booking was wanted and none was made
  });

  it("gives null inform scores when nothing was requested", () => {
    const evaluator = new MultiWozEvaluator(db);
    evaluator.reset({ domains: { police: { info: {}, failInfo: {}, reqt: [] } }, message: [] });
    expect(evaluator.inform()).toMatchObject({ precision: null, recall: null, f1: null });
    expect(evaluator.bookRate()).toBeNull();
    expect(evaluator.bookConstraints()).toBeNull();
  });
});

describe("official corpus Inform/Success", () => {
  it("credits PMUL1635 and lists the requestables", () => {
    expect(officialInformSuccess(byId("PMUL1635"), db)).toEqual({
      inform: true,
      success: true,
      domains: { hotel: { inform: true, success: true }, train: { inform: true, success: true } },
    });
    expect(officialRequestables(byId("PMUL1635").goal.domains.hotel!)).toEqual(["reference"]);
    expect(officialRequestables(byId("PMUL1635").goal.domains.train!)).toEqual([]);
  });

  it("fails the offered Friday train of PMUL4438", () => {
    const result = officialInformSuccess(byId("PMUL4438"), db);
    expect(result.domains.train?.inform).toBe(false);
    expect(result.inform).toBe(false);
    expect(result.success).toBe(false);
  });

  it("aggregates a corpus report and BLEU against the corpus' own responses", () => {
    const hypotheses = new Map(dialogues.map((d) => [d.id, d.turns.filter((t) => t.speaker === "system").map((t) => t.text)]));
    const report = evaluateMultiWozCorpus(dialogues, db, { hypotheses });
    expect(report.dialogues).toBe(6);
    expect(report.failures).toContain("PMUL4438");
    expect(report.failures).not.toContain("PMUL1635");
    expect(report.convlab.success).toBeCloseTo(1 - report.failures.length / 6, 12);
    expect(report.bleu).toBe(1);
    expect(report.combined).toBeCloseTo(1 + 0.5 * (report.official.inform + report.official.success), 12);
    hypotheses.set("PMUL1635", ["too few"]);
    expect(() => evaluateMultiWozCorpus(dialogues, db, { hypotheses })).toThrow(/PMUL1635: 1 generated responses for 9 system turns/);
  });
});
