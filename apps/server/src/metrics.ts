import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The server's Prometheus metrics, on a registry of its own (several servers in one process stay separate). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: "foresight_http_requests_total", help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers: [this.registry] });
  readonly latency = new Histogram({
    name: "foresight_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly simulations = new Counter({ name: "foresight_planner_simulations_total", help: "Search simulations by planner", labelNames: ["planner"], registers: [this.registry] });
  readonly plans = new Counter({ name: "foresight_plans_total", help: "Plans by planner and outcome", labelNames: ["planner", "outcome"], registers: [this.registry] });
  readonly llmCalls = new Counter({ name: "foresight_llm_calls_total", help: "LLM calls (planner roles and proxy upstream)", labelNames: ["source"], registers: [this.registry] });
  readonly llmTokens = new Counter({ name: "foresight_llm_tokens_total", help: "LLM tokens (planner roles and proxy upstream)", labelNames: ["source"], registers: [this.registry] });
  readonly errors = new Counter({ name: "foresight_errors_total", help: "Errors by kind", labelNames: ["kind"], registers: [this.registry] });
  readonly plansInFlight = new Gauge({ name: "foresight_plans_in_flight", help: "Plans running now", registers: [this.registry] });
  /** Plans waiting for a slot; read from `queued` at each scrape. */
  readonly plansQueued: Gauge;

  constructor(queued: () => number = () => 0) {
    this.plansQueued = new Gauge({
      name: "foresight_plans_queued",
      help: "Plans waiting for a slot",
      registers: [this.registry],
      collect() {
        this.set(queued());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
