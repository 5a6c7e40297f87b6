import { plannerFactory, type Planner, type PlannerFactory } from "@foresight/planners";

/** Where the server gets planners: the registry by default, a fixed list in tests. */
export interface PlannerSource {
  /** Names the server can plan with. */
  names(): string[];
  factory(name: string): PlannerFactory<Record<string, unknown>>;
}

/** The planners of `@foresight/planners`; a planner that lands there is served without server changes. */
export function registrySource(names: () => string[]): PlannerSource {
  return { names, factory: (name) => plannerFactory(name) };
}

/** An unknown planner name in a request (answered 404 with the known names). */
export class UnknownPlannerError extends Error {
  constructor(name: string, known: string[]) {
    super(`unknown planner "${name}" (known: ${known.join(", ") || "none"})`);
    this.name = "UnknownPlannerError";
  }
}

/** A planner that keeps a search tree across turns (it has `observe`). */
function keepsTree(planner: Planner<Record<string, unknown>>): boolean {
  return typeof planner.observe === "function";
}

/**
 * One shared planner instance per name for stateless `/v1/plan` calls (creating one loads models, so it is done
 * once), and fresh instances for the sessions of planners that keep a tree, which must not be shared.
 */
export class PlannerPool {
  private readonly shared = new Map<string, Promise<Planner<Record<string, unknown>>>>();
  /** Whether the planners of a name keep a tree, learnt from the first instance created. */
  private readonly treeKeeping = new Map<string, boolean>();

  constructor(
    private readonly source: PlannerSource,
    private readonly folders: { dataDir?: string; modelsDir?: string },
    /** Settings each planner is created with, by name (the server's `plannerSettings`). */
    private readonly baseSettings: Record<string, Record<string, unknown>> = {},
  ) {}

  private async createWith(name: string, settings: Record<string, unknown> | undefined): Promise<Planner<Record<string, unknown>>> {
    const merged = { ...this.baseSettings[name], ...settings };
    const planner = await this.factory(name).create({ ...this.folders, ...(Object.keys(merged).length > 0 ? { settings: merged } : {}) });
    this.treeKeeping.set(name, keepsTree(planner));
    return planner;
  }

  /** Names of the planners served. */
  names(): string[] {
    return this.source.names();
  }

  /** The factory for `name`, or an {@link UnknownPlannerError}. */
  factory(name: string): PlannerFactory<Record<string, unknown>> {
    if (!this.source.names().includes(name)) throw new UnknownPlannerError(name, this.source.names());
    return this.source.factory(name);
  }

  /** The shared instance of `name`, created on first use. A failed creation is not cached. */
  sharedInstance(name: string): Promise<Planner<Record<string, unknown>>> {
    let planner = this.shared.get(name);
    if (!planner) {
      planner = this.createWith(name, undefined);
      this.shared.set(name, planner);
      planner.catch(() => this.shared.delete(name));
    }
    return planner;
  }

  /**
   * A session's own instance of `name` (with `settings`) when its planners keep a tree; undefined when they are
   * stateless, and the session plans with the shared instance. Until an instance of `name` exists it is not known
   * which: a shared instance still loading is waited for, else the one made to find out becomes the shared instance
   * when it is stateless (or is closed, when that exists already or the session has settings of its own).
   */
  async sessionInstance(name: string, settings?: Record<string, unknown>): Promise<Planner<Record<string, unknown>> | undefined> {
    // While the shared instance is loading, its load tells which: wait for it instead of loading a second instance.
    const loading = this.treeKeeping.has(name) ? undefined : this.shared.get(name);
    if (loading) await loading.catch(() => undefined);
    if (this.treeKeeping.get(name) === false) return undefined;
    const planner = await this.createWith(name, settings);
    if (keepsTree(planner)) return planner;
    if (!this.shared.has(name) && Object.keys(settings ?? {}).length === 0) this.shared.set(name, Promise.resolve(planner));
    else await planner.close?.();
    return undefined;
  }

  /** Closes every shared instance. */
  async close(): Promise<void> {
    const planners = await Promise.allSettled(this.shared.values());
    this.shared.clear();
    await Promise.allSettled(planners.map((p) => (p.status === "fulfilled" ? p.value.close?.() : undefined)));
  }
}
