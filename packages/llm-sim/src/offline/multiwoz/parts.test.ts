import { createRng, type MultiWozGoal, type Turn } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { AgendaUser } from "./agenda.js";
import { createMultiWozGoalAvailability } from "./availability.js";
import { candidateSystemActs, multiWozTurnContext } from "./candidates.js";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA } from "./persona.js";
import { correctMultiWozPolicy, neverBookMultiWozPolicy, type MultiWozSystemPolicy } from "./policies.js";
import { simulateMultiWozDialogue } from "./simulate.js";
import { MultiWozTemplateNlg } from "./nlg.js";
import { AgendaMultiWozUser, CorpusMultiWozPrior, MultiWozActLedger, TemplateMultiWozSystem, trackMultiWozHistory } from "./roles.js";
import { makeMultiWozAct } from "./slots.js";
import { applyMultiWozSystemActs, applyMultiWozUserActs, initialMultiWozState } from "./state.js";
import { loadMultiWozWorld, type MultiWozWorld } from "./world.js";

let world: MultiWozWorld;
beforeAll(() => {
  world = loadMultiWozWorld();
});

const hotelGoal: MultiWozGoal = {
  domains: { hotel: { info: { area: "east", stars: "4" }, failInfo: {}, reqt: ["phone"], book: { people: "2", day: "friday", stay: "3" }, failBook: { stay: "5" } } },
  message: ["You are looking for a hotel in the east with 4 stars."],
};

function userSays(state = initialMultiWozState(), ...acts: Parameters<typeof makeMultiWozAct>[]) {
  return applyMultiWozUserActs(state, acts.map((args) => makeMultiWozAct(...args)), world.db);
}

describe("candidate system acts", () => {
  it("grounds offers in the database and reports no match only when the search finds none", () => {
    const availability = createMultiWozGoalAvailability(world.db, hotelGoal, 1);
    const state = userSays(undefined, ["Hotel", "Inform", "Area", "east"], ["Hotel", "Inform", "Stars", "4"]);
    const bundles = candidateSystemActs(state, { db: world.db, availability });
    const matches = world.db.query("hotel", { area: "east", stars: "4" }).map((entity) => entity.name);
    const offers = bundles.filter((bundle) => bundle.type === "Inform" || bundle.type === "Recommend");
    expect(offers.length).toBeGreaterThan(0);
    for (const offer of offers) expect(matches).toContain(offer.entity?.name);
    expect(bundles.some((bundle) => bundle.type === "NoOffer")).toBe(false);
    expect(bundles.some((bundle) => bundle.type === "Request")).toBe(true);

    const none = userSays(undefined, ["Restaurant", "Inform", "Food", "unusual"], ["Restaurant", "Inform", "Area", "centre"]);
    const noneBundles = candidateSystemActs(none, { db: world.db, availability });
    expect(noneBundles.map((bundle) => bundle.type)).toContain("NoOffer");
    expect(noneBundles.some((bundle) => bundle.type === "Inform" || bundle.type === "Recommend")).toBe(false);
  });

  it("books with a reference once the booking slots are known, and refuses the goal's fail_book", () => {
    const availability = createMultiWozGoalAvailability(world.db, hotelGoal, 1);
    const base = userSays(undefined, ["Hotel", "Inform", "Area", "east"], ["Hotel", "Inform", "Stars", "4"]);
    const offered = applyMultiWozSystemActs(base, [makeMultiWozAct("Hotel", "Inform", "Name", "allenbell")], world.db);
    expect(offered.offered.hotel?.entity?.name).toBe("allenbell");
    const ok = userSays(offered, ["Hotel", "Inform", "People", "2"], ["Hotel", "Inform", "Day", "friday"], ["Hotel", "Inform", "Stay", "3"]);
    const book = candidateSystemActs(ok, { db: world.db, availability }).find((bundle) => bundle.type === "Book");
    const reference = book?.acts.find((act) => act.slot === "Ref")?.value;
    expect(reference).toMatch(/^[A-Z0-9]{8}$/);
    const booked = applyMultiWozSystemActs(ok, book!.acts, world.db);
    expect(booked.belief.hotel?.booked).toEqual([{ name: "allenbell", reference }]);

    const refused = userSays(offered, ["Hotel", "Inform", "People", "2"], ["Hotel", "Inform", "Day", "friday"], ["Hotel", "Inform", "Stay", "5"]);
    const types = candidateSystemActs(refused, { db: world.db, availability }).map((bundle) => bundle.type);
    expect(types).toContain("NoBook");
    expect(types).not.toContain("Book");
  });
});

describe("the agenda user's patience", () => {
  // A system that keeps repeating itself makes no progress: the user must give up when its patience runs out instead
  // of treating every repeated offer to book, or a question it already answered, as a step forward and running into
  // the turn limit.
  const askAreaForever: MultiWozSystemPolicy = () => ({ type: "Request", domain: "hotel", acts: [makeMultiWozAct("Hotel", "Request", "Area")], label: "Request(hotel: area)" });

  it("gives up on a system that re-offers the booking or re-asks an answered question, before the turn limit", () => {
    for (const persona of [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA]) {
      for (const [name, policy] of [["never-book", neverBookMultiWozPolicy], ["ask-area-forever", askAreaForever]] as const) {
        for (let seed = 0; seed < 4; seed++) {
          const { outcome } = simulateMultiWozDialogue({ world, goal: hotelGoal, seed, persona, policy });
          expect(outcome.endReason, `${persona.name} vs ${name}, seed ${seed}`).toBe("user-terminated");
          expect(outcome.goalComplete).toBe(false);
        }
      }
    }
  });

  it("reacts to a refused booking that names only the failing slot, as corpus systems often do", () => {
    const rng = createRng(4);
    const user = AgendaUser.create(hotelGoal, COOPERATIVE_AGENDA_PERSONA, world.userActCounts);
    user.next(rng);
    user.receive([makeMultiWozAct("Hotel", "Inform", "Name", "allenbell")], rng);
    user.receive([makeMultiWozAct("Booking", "NoBook", "Stay", "5")], rng);
    expect(user.next(rng)).toContainEqual(makeMultiWozAct("Hotel", "Inform", "Stay", "3"));
    expect(user.snapshot().progress.hotel?.failBookActive).toBe(false);
  });

  it("completes the same goal against the correct system", () => {
    for (const persona of [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA]) {
      const { outcome } = simulateMultiWozDialogue({ world, goal: hotelGoal, seed: 2, persona });
      expect(outcome.endReason).toBe("goal-complete");
      expect(outcome.bookings.map((booking) => booking.slots.stay)).toEqual(["3"]);
    }
  });
});

describe("template NLG", () => {
  it("fills the ConvLab templates with the act's values and counts the generic fallback", () => {
    const nlg = new MultiWozTemplateNlg(world.templates);
    const text = nlg.system([makeMultiWozAct("Hotel", "Inform", "Area", "east"), makeMultiWozAct("Booking", "Book", "Ref", "ABCD1234")], createRng(1)).text;
    expect(text).toContain("east");
    expect(text).toContain("ABCD1234");
    expect(text).not.toMatch(/#[A-Z]+-/);
    expect(nlg.stats.fallbacks).toBe(0);
    const fallback = nlg.system([makeMultiWozAct("Booking", "Request", "Day")], createRng(1));
    expect(fallback).toEqual({ text: "What day would you like ?", fallbacks: 1 });
    expect(nlg.stats.fallbackActs).toEqual({ "Booking-Request(Day)": 1 });
    const aliased = nlg.system([makeMultiWozAct("Booking", "Request", "Day")], createRng(1), "hotel");
    expect(aliased.fallbacks).toBe(0);
  });
});

describe("role interfaces", () => {
  it("plays a dialogue through the user, system and prior roles from texts alone", async () => {
    const ledger = new MultiWozActLedger();
    const user = new AgendaMultiWozUser({ world, goal: hotelGoal, seed: 3, ledger });
    const system = new TemplateMultiWozSystem({ world, goal: hotelGoal, seed: 3, ledger });
    const prior = new CorpusMultiWozPrior({ world, ledger });
    const history: Turn[] = [];
    const first = await user.respond(history);
    expect(first.acts.length).toBeGreaterThan(0);
    expect(await user.respond(history)).toEqual(first);
    history.push({ speaker: "user", text: first.text });

    const distribution = await prior.prior(history);
    expect(distribution.method).toBe("corpus");
    expect(distribution.probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
    const restricted = await prior.prior(history, { acts: ["Inform", "Request"] });
    expect(restricted.acts).toEqual(["Inform", "Request"]);

    const early = await system.reply(history, "Book", 2);
    expect(early[0]!.fallback).toBe(true);
    const offers = await system.reply(history, "Inform", 3);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((offer) => !offer.fallback && offer.acts.some((act) => act.slot === "Name"))).toBe(true);
    expect(new Set(offers.map((offer) => offer.text)).size).toBe(offers.length);

    // A planner-like driver: the reference policy picks the act type, the system role realises it.
    const availability = createMultiWozGoalAvailability(world.db, hotelGoal, 3);
    for (let turn = 0; turn < 10; turn++) {
      const { state } = trackMultiWozHistory(history, world, ledger);
      const type = correctMultiWozPolicy(state, multiWozTurnContext(state, { db: world.db, availability }), createRng(turn)).type;
      const reply = await system.reply(history, type, 1);
      expect(reply[0]!.fallback).toBe(false);
      history.push({ speaker: "system", text: reply[0]!.text });
      const next = await user.respond(history);
      history.push({ speaker: "user", text: next.text });
      if (next.ended) break;
    }
    expect(user.unreadTurns).toBe(0);
    const final = user.userAfter(history);
    expect(final.domainStatus().hotel).toBe(true);
    expect(final.endReason).toBe("goal-complete");
    expect(trackMultiWozHistory(history, world, ledger).state.bookings.map((booking) => booking.slots.stay)).toEqual(["3"]);
  });
});

describe("goals whose failing search or booking is also the final one", () => {
  // MUL1381-like: the hotel's fail_info equals its info (only the booking failed in the corpus dialogue), and
  // PMUL3928-like: the restaurant's fail_info equals info. Honouring such a fail_info would make the goal impossible.
  const sameFailGoal: MultiWozGoal = {
    domains: {
      hotel: { info: { name: "allenbell" }, failInfo: { name: "allenbell" }, reqt: [], book: { stay: "1", day: "tuesday", people: "6" }, failBook: { stay: "3" } },
      restaurant: { info: { pricerange: "expensive", area: "centre" }, failInfo: { area: "centre", pricerange: "expensive" }, reqt: ["phone"], book: { people: "2", day: "sunday", time: "19:15" }, failBook: { people: "2", day: "sunday", time: "19:15" } },
    },
    message: ["You are looking for a hotel called allenbell.", "You are also looking for an expensive restaurant in the centre."],
  };

  it("reads fail_info equal to info (and fail_book equal to book) as no failure", () => {
    const availability = createMultiWozGoalAvailability(world.db, sameFailGoal, 1);
    expect(availability.search("hotel", { name: "allenbell" }).length).toBe(1);
    expect(availability.search("restaurant", { pricerange: "expensive", area: "centre" }).length).toBeGreaterThan(0);
    expect(availability.book("restaurant", "the cambridge chop house", { people: "2", day: "sunday", time: "19:15" }).ok).toBe(true);
    // A real fail_info still fails its first search.
    const real = createMultiWozGoalAvailability(world.db, hotelGoal, 1);
    expect(real.book("hotel", "allenbell", { people: "2", day: "friday", stay: "5" }).ok).toBe(false);
  });

  it("lets the cooperative user complete such a goal against the reference policy", () => {
    for (const seed of [1, 2, 3]) {
      const run = simulateMultiWozDialogue({ world, goal: sameFailGoal, seed });
      expect(run.outcome.goalComplete).toBe(true);
      expect(run.outcome.endReason).toBe("goal-complete");
    }
  });
});

describe("the reference policy when the venue on the table lacks what the user asks", () => {
  it("offers another matching venue that has the requested value", () => {
    const goal: MultiWozGoal = { domains: { attraction: { info: { area: "centre" }, failInfo: {}, reqt: ["entrance fee"] } }, message: ["You want something to do in the centre."] };
    const availability = createMultiWozGoalAvailability(world.db, goal, 1);
    const lacking = world.db.query("attraction", { area: "centre" }).find((entity) => entity["entrance fee"] === "?")!;
    expect(lacking).toBeDefined();
    let state = userSays(undefined, ["Attraction", "Inform", "Area", "centre"]);
    state = applyMultiWozSystemActs(state, [makeMultiWozAct("Attraction", "Inform", "Name", String(lacking.name))], world.db);
    state = applyMultiWozUserActs(state, [makeMultiWozAct("Attraction", "Request", "Fee")], world.db);
    const context = multiWozTurnContext(state, { db: world.db, availability });
    const choice = correctMultiWozPolicy(state, context, createRng(1));
    expect(choice.type).toBe("Inform");
    expect(choice.entity?.name).not.toBe(lacking.name);
    const fee = choice.acts.find((act) => act.slot === "Fee");
    expect(fee?.value).toBeDefined();
    expect(fee?.value).not.toBe("?");
  });
});
