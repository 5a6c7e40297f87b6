import { z } from "zod";

/** The seven MultiWOZ service domains that carry goals and databases (plus `bus`, which shares the train table). */
export const MULTIWOZ_DOMAINS = ["attraction", "hospital", "hotel", "police", "restaurant", "taxi", "train"] as const;
export type MultiWozDomain = (typeof MULTIWOZ_DOMAINS)[number];

const StringMapSchema = z.record(z.string(), z.string());

/** One domain's part of a raw corpus goal (ConvLab/MultiWOZ spelling); every key is optional in the corpus. */
export const RawDomainGoalSchema = z.looseObject({
  info: StringMapSchema.optional(),
  fail_info: StringMapSchema.optional(),
  reqt: z.array(z.string()).optional(),
  book: z.record(z.string(), z.union([z.string(), z.boolean()])).optional(),
  fail_book: z.record(z.string(), z.union([z.string(), z.boolean()])).optional(),
});
export type RawDomainGoal = z.infer<typeof RawDomainGoalSchema>;

/** A raw corpus goal: one entry per domain (often `{}`), the crowd-worker `message` lines and an optional `topic`. */
export const RawGoalSchema = z.looseObject({
  attraction: RawDomainGoalSchema.optional(),
  hospital: RawDomainGoalSchema.optional(),
  hotel: RawDomainGoalSchema.optional(),
  police: RawDomainGoalSchema.optional(),
  restaurant: RawDomainGoalSchema.optional(),
  taxi: RawDomainGoalSchema.optional(),
  train: RawDomainGoalSchema.optional(),
  message: z.union([z.array(z.string()), z.string()]).optional(),
  topic: z.record(z.string(), z.boolean()).optional(),
});
export type RawGoal = z.infer<typeof RawGoalSchema>;

/** A raw belief state of one domain: `semi` (informable slots) and `book` (booking slots plus the `booked` list). */
export const RawBeliefDomainSchema = z.object({
  semi: StringMapSchema,
  book: z.record(z.string(), z.union([z.string(), z.array(StringMapSchema)])),
});

/** A raw log turn: text, acts keyed `Domain-Intent` with `[slot, value]` pairs, span info and (system) metadata. */
export const RawLogTurnSchema = z.object({
  text: z.string(),
  dialog_act: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  span_info: z.array(z.tuple([z.string(), z.string(), z.string(), z.number(), z.number()])).optional(),
  metadata: z.record(z.string(), RawBeliefDomainSchema),
});
export type RawLogTurn = z.infer<typeof RawLogTurnSchema>;

/** A raw dialogue of `val.json`. */
export const RawDialogueSchema = z.object({
  goal: RawGoalSchema,
  log: z.array(RawLogTurnSchema).min(1),
});
export type RawDialogue = z.infer<typeof RawDialogueSchema>;

/** One domain of a user goal, normalised from the corpus spelling (`fail_info` → `failInfo`, booking flags split out). */
export const MultiWozDomainGoalSchema = z.object({
  /** Constraints the venue must satisfy, slot → value (e.g. `{ area: "east", stars: "4" }`). */
  info: StringMapSchema,
  /** Constraints the user tries first and that the corpus goal marks as unsatisfiable (the user then relaxes to `info`). */
  failInfo: StringMapSchema,
  /** Slots the user must ask the system for (e.g. `phone`, `postcode`, `car type`). */
  reqt: z.array(z.string()),
  /** Booking constraints (`people`, `day`, `time`, `stay`) when the goal includes a booking. */
  book: StringMapSchema.optional(),
  /** Booking constraints the user tries first and that fail in the corpus goal. */
  failBook: StringMapSchema.optional(),
  /** ConvLab's `invalid` / `pre_invalid` flags of the booking part. */
  bookInvalid: z.boolean().optional(),
  bookPreInvalid: z.boolean().optional(),
});
export type MultiWozDomainGoal = z.infer<typeof MultiWozDomainGoalSchema>;

/** A validated MultiWOZ user goal: only the domains the goal involves, the task description lines, the topic flags. */
export const MultiWozGoalSchema = z.object({
  domains: z.partialRecord(z.enum(MULTIWOZ_DOMAINS), MultiWozDomainGoalSchema),
  /** The crowd-worker instructions as in the corpus (they contain `<span class='emphasis'>` markup). */
  message: z.array(z.string()),
  topic: z.record(z.string(), z.boolean()).optional(),
});
export type MultiWozGoal = z.infer<typeof MultiWozGoalSchema>;

/** The belief state of one domain after a system turn: informable slots, booking slots and confirmed bookings. */
export const MultiWozBeliefDomainSchema = z.object({
  /** Informable slots as annotated (`""` and `"not mentioned"` both mean unset; `"dontcare"` means no preference). */
  semi: StringMapSchema,
  /** Booking slots (`people`, `day`, `time`, `stay`, …) without the `booked` list. */
  book: StringMapSchema,
  /** Bookings made so far in this domain (e.g. `{ name, reference }`, `{ trainID, reference }`). */
  booked: z.array(StringMapSchema),
});
export type MultiWozBeliefDomain = z.infer<typeof MultiWozBeliefDomainSchema>;

/** A system turn's belief state: domain → {@link MultiWozBeliefDomain}; stored as `turn.state` by the loader. */
export const MultiWozBeliefStateSchema = z.record(z.string(), MultiWozBeliefDomainSchema);
export type MultiWozBeliefState = z.infer<typeof MultiWozBeliefStateSchema>;
