import { EventAggregator, type ScoringLevel } from '../../nodes/engine/aggregate';
import { normalizeEvent } from '../../nodes/engine/events';
import type { AccountSource } from '../../nodes/engine/identity';
import { compileModel } from '../../nodes/engine/rules/compile';
import type { ModelConfig, RuleConfig } from '../../nodes/engine/rules/schema';
import type { ScoreResult } from '../../nodes/engine/score';
import { DAY_MS } from '../../nodes/engine/time';

/** The "now" every engine test scores as of. */
export const AS_OF = Date.parse('2026-11-20T12:00:00.000Z');

export function daysAgo(days: number, hours = 0): string {
	return new Date(AS_OF - days * DAY_MS - hours * 3_600_000).toISOString();
}

export interface FlatEvent {
	userId?: string;
	accountId?: string;
	event?: string;
	timestamp: string;
	type?: string;
	properties?: Record<string, unknown>;
	traits?: Record<string, unknown>;
	accountTraits?: Record<string, unknown>;
	email?: string;
	id?: string;
}

export function repeat(count: number, make: (n: number) => FlatEvent): FlatEvent[] {
	return Array.from({ length: count }, (_, n) => make(n));
}

export interface ScoreOptions {
	level?: ScoringLevel;
	accountFrom?: AccountSource;
	asOf?: number;
}

/** Scores raw events (any source shape) with a model, through the real normalizers and aggregator. */
export function scoreAll(model: ModelConfig, rawEvents: unknown[], options: ScoreOptions = {}) {
	const aggregator = new EventAggregator(compileModel(model), {
		asOf: options.asOf ?? AS_OF,
		level: options.level ?? 'account',
		identity: { accountFrom: options.accountFrom ?? 'groupOrEmailDomain' },
	});
	for (const raw of rawEvents) aggregator.add(normalizeEvent(raw, 'auto'));
	const results = aggregator.finish();
	const byId = new Map(results.map((result) => [result.id, result]));
	return { results, stats: aggregator.stats, get: (id: string): ScoreResult => byId.get(id)! };
}

/** A one-rule model, to test one rule type at a time. */
export function oneRule(rule: Partial<RuleConfig> & Pick<RuleConfig, 'type'>): ModelConfig {
	return { rules: [{ name: 'Rule under test', category: 'usage', points: 10, ...rule } as RuleConfig] };
}
