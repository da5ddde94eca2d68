import type { CompiledModel } from '../rules/compile';
import type { ModelConfig, RuleConfig, TierConfig } from '../rules/schema';
import type { LogisticFit } from './logistic';

/** What calibration proposes for one rule of the current model. */
export interface RulePoints {
	name: string;
	/** Log-odds per unit learned from the data (positive = more conversions). */
	weight: number;
	/** Integer points for the PQL Score node; 0 = drop the rule (no evidence it helps). */
	points: number;
	/** Why a rule was dropped or changed sign, in words; undefined when nothing to say. */
	note: string | undefined;
}

/** Default size of the largest suggested points when the current model has no points to compare with. */
export const DEFAULT_MAX_POINTS = 20;

/**
 * Scales learned log-odds to integer points: the strongest rule gets `maxPoints` (by default the
 * largest points of the current model), so the suggestion reads on the scale people already know.
 * Negative-category rules keep their category and take points for a negative weight.
 */
export function pointsFromWeights(model: CompiledModel, fit: LogisticFit, maxPoints?: number): { rules: RulePoints[]; pointsPerLogOdds: number } {
	const largestCurrent = Math.max(0, ...model.rules.map((rule) => Math.abs(rule.points)));
	const target = maxPoints ?? (largestCurrent > 0 ? largestCurrent : DEFAULT_MAX_POINTS);
	const largestWeight = Math.max(0, ...fit.weights.map(Math.abs));
	const pointsPerLogOdds = largestWeight > 0 ? target / largestWeight : 0;
	const rules = model.rules.map((rule, i) => {
		const weight = fit.weights[i];
		const signed = weight * pointsPerLogOdds;
		const isNegative = rule.category === 'negative';
		const points = Math.max(0, Math.round(isNegative ? -signed : signed));
		let note: string | undefined;
		if (points === 0) {
			if (Math.round(Math.abs(signed)) === 0) note = 'no measurable effect on conversion: dropped';
			else note = isNegative ? 'converters show it more often, not less: dropped from the negative rules' : 'converters show it less often: dropped (consider a negative rule)';
		}
		return { name: rule.name, weight, points, note };
	});
	return { rules, pointsPerLogOdds };
}

/** The current tiers moved so that the tier starting at the current threshold starts at the new one. */
export function suggestedTiers(tiers: TierConfig[], currentThreshold: number, threshold: number): TierConfig[] {
	const factor = currentThreshold > 0 && threshold > 0 ? threshold / currentThreshold : undefined;
	const move = (minScore: number): number => {
		if (minScore === currentThreshold) return threshold;
		if (factor !== undefined) return Math.round(minScore * factor);
		return minScore >= currentThreshold ? threshold : minScore;
	};
	const moved = tiers.map((tier) => ({ name: tier.name, minScore: tier.minScore === null ? null : move(tier.minScore) }));
	const seen = new Set<number>();
	const kept = moved.filter((tier) => tier.minScore === null || (!seen.has(tier.minScore) && seen.add(tier.minScore)));
	return kept.some((tier) => tier.minScore === null) ? kept : [...kept, { name: 'other', minScore: null }];
}

/** The current model with the suggested points (rules at 0 points left out) and threshold: ready for PQL Score. */
export function suggestedModel(model: CompiledModel, points: RulePoints[], threshold: number): ModelConfig {
	const rules: RuleConfig[] = [];
	model.config.rules.forEach((rule, i) => {
		const suggestion = points[i];
		if (suggestion.points === 0) return;
		const copy: RuleConfig = { ...rule, points: suggestion.points };
		if (rule.cap !== undefined && rule.pointsPer === 'unit' && rule.points !== 0) {
			copy.cap = Math.max(suggestion.points, Math.round((rule.cap / Math.abs(rule.points)) * suggestion.points));
		} else if (rule.cap !== undefined) delete copy.cap;
		rules.push(copy);
	});
	return {
		mode: 'points',
		threshold,
		tiers: suggestedTiers(model.config.tiers, model.config.threshold, threshold),
		rules,
	};
}
