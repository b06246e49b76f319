// Fault and load knobs: added latency, throttling (429 + Retry-After), injected 5xx and dropped connections,
// each scoped by path prefix / method and applied at a rate. Decisions come from a PRNG seeded by the
// sandbox seed and the rule's position, so a test that sends the same requests sees the same faults.
import { Rng } from './random';
import type { Area } from './router';

export type FaultKind = 'latency' | 'throttle' | 'error' | 'drop';

export interface FaultRule {
  readonly kind: FaultKind;
  /** Applies to paths starting with this (full path, area prefix included, e.g. `/graph/v1.0/applications`). Default: all. */
  readonly pathPrefix?: string;
  /** Applies to this method only. Default: all. */
  readonly method?: string;
  /** Applies to these areas only. Default: all but `control`. */
  readonly areas?: readonly Area[];
  /** Fraction of matching requests affected, 0..1. Default 1. */
  readonly rate?: number;
  /** Stop after acting this many times. Default: unlimited. */
  readonly count?: number;
  /** latency: milliseconds added (before the handler runs). */
  readonly latencyMs?: number;
  /** throttle: the Retry-After value in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
  /** error: the HTTP status. Default 503. */
  readonly status?: number;
  /**
   * error and drop: the request is handled first (a write is applied) and only its answer is lost or
   * replaced by the error, so the client cannot tell whether it happened. Default false (nothing runs).
   */
  readonly after?: boolean;
}

export interface FaultDecision {
  readonly latencyMs: number;
  /** The first non-latency fault that fires, if any. */
  readonly fault?: FaultRule;
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly rng: Rng;
  fired: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(private readonly seed: number) {}

  /** Replaces all rules. */
  set(rules: readonly FaultRule[]): void {
    for (const r of rules) validateRule(r);
    this.rules = rules.map((rule, i) => ({ rule, rng: new Rng(`${this.seed}/fault/${i}/${rule.kind}`), fired: 0 }));
  }

  add(rule: FaultRule): void {
    validateRule(rule);
    this.rules.push({ rule, rng: new Rng(`${this.seed}/fault/${this.rules.length}/${rule.kind}`), fired: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  list(): { rule: FaultRule; fired: number }[] {
    return this.rules.map((r) => ({ rule: r.rule, fired: r.fired }));
  }

  decide(area: Area, method: string, path: string): FaultDecision {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.areas ? !rule.areas.includes(area) : area === 'control') continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.pathPrefix && !path.toLowerCase().startsWith(rule.pathPrefix.toLowerCase())) continue;
      if (rule.count !== undefined && active.fired >= rule.count) continue;
      if (rule.kind !== 'latency' && fault) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && active.rng.next() >= rate) continue;
      active.fired++;
      if (rule.kind === 'latency') latencyMs += rule.latencyMs ?? 0;
      else fault = rule;
    }
    return { latencyMs, fault };
  }
}

function validateRule(r: FaultRule): void {
  if (!['latency', 'throttle', 'error', 'drop'].includes(r.kind)) throw new Error(`Unknown fault kind ${JSON.stringify(r.kind)}`);
  if (r.rate !== undefined && (typeof r.rate !== 'number' || r.rate < 0 || r.rate > 1)) throw new Error('rate must be between 0 and 1');
  if (r.status !== undefined && (r.status < 400 || r.status > 599)) throw new Error('status must be 4xx or 5xx');
  if (r.after !== undefined && typeof r.after !== 'boolean') throw new Error('after must be true or false');
  if (r.after && r.kind !== 'error' && r.kind !== 'drop')
    throw new Error('after applies to error and drop rules only (a throttled request is never processed)');
}
