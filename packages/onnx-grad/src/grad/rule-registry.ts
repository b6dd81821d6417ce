import { createHash } from 'node:crypto';
import { EnvisionError } from '../errors.js';
import type { GradientRule } from './rule.js';

/**
 * The gradient rules a builder uses, by op type. Each builder owns its registry, so a method can override a rule
 * locally (Guided Backprop replaces `Relu`) without touching anyone else's.
 */
export class RuleRegistry {
  private readonly rules = new Map<string, GradientRule>();
  private readonly overridden = new Set<string>();

  /** @param rules - the initial rules (typically `defaultRules`) */
  constructor(rules: readonly GradientRule[] = []) {
    for (const rule of rules) this.register(rule);
  }

  /**
   * Adds a rule. The same rule object twice is a no-op; a different rule for an op that has one is an error (use
   * {@link RuleRegistry.override}).
   */
  register(rule: GradientRule): this {
    const existing = this.rules.get(rule.opType);
    if (existing === rule) return this;
    if (existing !== undefined) throw new EnvisionError('E_PLUGIN', `a gradient rule for ${rule.opType} is already registered; use override()`);
    this.rules.set(rule.opType, rule);
    return this;
  }

  /** Replaces the rule of an op in this registry only, e.g. Guided Backprop's `Relu`. */
  override(rule: GradientRule, tag: string): this {
    this.rules.set(rule.opType, rule);
    this.overridden.add(`${rule.opType}=${tag}`);
    return this;
  }

  /** A copy that can be overridden without changing this registry. */
  clone(): RuleRegistry {
    const copy = new RuleRegistry([...this.rules.values()]);
    for (const o of this.overridden) copy.overridden.add(o);
    return copy;
  }

  /** The rule for an op, or undefined. */
  get(opType: string): GradientRule | undefined {
    return this.rules.get(opType);
  }

  /** The op types that have a rule, sorted. */
  opTypes(): string[] {
    return [...this.rules.keys()].sort();
  }

  /** Identifies the rule set (op types and overrides) for cache keys. */
  id(): string {
    return createHash('sha256').update(JSON.stringify([this.opTypes(), [...this.overridden].sort()])).digest('hex').slice(0, 16);
  }
}
