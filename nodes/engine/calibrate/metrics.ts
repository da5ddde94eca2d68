/** How well a set of verdicts separates converters from the rest: pure arithmetic on labelled scores. */

export interface ScoredAccount {
	score: number;
	isPql: boolean;
	tier: string | null;
	converted: boolean;
	value: number | undefined;
}

export interface TierMetrics {
	tier: string;
	accounts: number;
	converted: number;
	conversion: number | null;
}

export interface ModelMetrics {
	accounts: number;
	converted: number;
	pqls: number;
	pqlShare: number | null;
	/** PQL→paid: converters among PQLs (= precision). */
	pqlConversion: number | null;
	/** non-PQL→paid. */
	nonPqlConversion: number | null;
	/** PQL conversion ÷ non-PQL conversion. */
	lift: number | null;
	precision: number | null;
	/** Share of all converters that were PQLs. */
	recall: number | null;
	f1: number | null;
	/** Probability that a random converter scores above a random non-converter (ties count half). */
	auc: number | null;
	topTier: string | null;
	/** Share of conversions in the top tier. */
	topTierShareOfConversions: number | null;
	/** Top tier conversion ÷ bottom tier conversion (vendors look for ≥ 10). */
	topToBottomTierLift: number | null;
	tiers: TierMetrics[];
	/** Share of converted deal value that came from PQLs (when values are known). */
	pqlShareOfValue: number | null;
	medianDaysToPql: number | null;
	medianDaysPqlToPaid: number | null;
}

export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function round(value: number | null, digits = 4): number | null {
	if (value === null || !Number.isFinite(value)) return value === null ? null : value;
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

export function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Area under the ROC curve by ranks (Mann–Whitney), ties averaged. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number | null {
	const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
	let positives = 0;
	let rankSum = 0;
	for (let start = 0; start < order.length; ) {
		let end = start;
		while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
		const averageRank = (start + end) / 2 + 1;
		for (let k = start; k <= end; k++) {
			if (labels[order[k]]) {
				positives++;
				rankSum += averageRank;
			}
		}
		start = end + 1;
	}
	const negatives = order.length - positives;
	if (positives === 0 || negatives === 0) return null;
	return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Spearman rank correlation (ties averaged). */
export function spearman(a: number[], b: number[]): number {
	const ranks = (values: number[]) => {
		const order = values.map((_, i) => i).sort((x, y) => values[x] - values[y]);
		const result = new Array<number>(values.length);
		for (let start = 0; start < order.length; ) {
			let end = start;
			while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
			for (let k = start; k <= end; k++) result[order[k]] = (start + end) / 2;
			start = end + 1;
		}
		return result;
	};
	const ra = ranks(a);
	const rb = ranks(b);
	const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
	const ma = mean(ra);
	const mb = mean(rb);
	let covariance = 0;
	let va = 0;
	let vb = 0;
	for (let i = 0; i < ra.length; i++) {
		covariance += (ra[i] - ma) * (rb[i] - mb);
		va += (ra[i] - ma) ** 2;
		vb += (rb[i] - mb) ** 2;
	}
	return va === 0 || vb === 0 ? 0 : covariance / Math.sqrt(va * vb);
}

export interface TimingInput {
	/** Days from first activity to becoming a PQL, per PQL account. */
	daysToPql: number[];
	/** Days from becoming a PQL to paying, per converted PQL with a conversion date. */
	daysPqlToPaid: number[];
}

/** Metrics of one model's verdicts; `tierOrder` lists tier names from the highest down. */
export function modelMetrics(accounts: ScoredAccount[], tierOrder: string[], timing?: TimingInput): ModelMetrics {
	let converted = 0;
	let pqls = 0;
	let pqlConverted = 0;
	let value = 0;
	let pqlValue = 0;
	let withValue = 0;
	const perTier = new Map<string, { accounts: number; converted: number }>(tierOrder.map((tier) => [tier, { accounts: 0, converted: 0 }]));
	for (const account of accounts) {
		if (account.converted) converted++;
		if (account.isPql) {
			pqls++;
			if (account.converted) pqlConverted++;
		}
		if (account.converted && account.value !== undefined) {
			withValue++;
			value += account.value;
			if (account.isPql) pqlValue += account.value;
		}
		if (account.tier !== null) {
			let tier = perTier.get(account.tier);
			if (tier === undefined) perTier.set(account.tier, (tier = { accounts: 0, converted: 0 }));
			tier.accounts++;
			if (account.converted) tier.converted++;
		}
	}
	const nonPqls = accounts.length - pqls;
	const pqlConversion = ratio(pqlConverted, pqls);
	const nonPqlConversion = ratio(converted - pqlConverted, nonPqls);
	const recall = ratio(pqlConverted, converted);
	const f1 = pqlConversion !== null && recall !== null && pqlConversion + recall > 0 ? (2 * pqlConversion * recall) / (pqlConversion + recall) : null;
	const tiers: TierMetrics[] = [...perTier].map(([tier, counts]) => ({
		tier,
		accounts: counts.accounts,
		converted: counts.converted,
		conversion: round(ratio(counts.converted, counts.accounts)),
	}));
	const top = tiers[0];
	const bottom = tiers[tiers.length - 1];
	const liftOf = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
	return {
		accounts: accounts.length,
		converted,
		pqls,
		pqlShare: round(ratio(pqls, accounts.length)),
		pqlConversion: round(pqlConversion),
		nonPqlConversion: round(nonPqlConversion),
		lift: round(liftOf(pqlConversion, nonPqlConversion), 2),
		precision: round(pqlConversion),
		recall: round(recall),
		f1: round(f1),
		auc: round(auc(accounts.map((a) => a.score), accounts.map((a) => a.converted))),
		topTier: top?.tier ?? null,
		topTierShareOfConversions: top === undefined ? null : round(ratio(top.converted, converted)),
		topToBottomTierLift: tiers.length < 2 ? null : round(liftOf(top.conversion, bottom.conversion), 2),
		tiers,
		pqlShareOfValue: withValue > 0 ? round(ratio(pqlValue, value)) : null,
		medianDaysToPql: timing === undefined ? null : round(median(timing.daysToPql), 1),
		medianDaysPqlToPaid: timing === undefined ? null : round(median(timing.daysPqlToPaid), 1),
	};
}

/** Conversion rate per score decile, highest scores first (ties broken by input order). */
export function conversionByDecile(scores: number[], converted: boolean[]): number[] {
	const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
	const deciles: number[] = [];
	for (let d = 0; d < 10; d++) {
		const start = Math.floor((d * order.length) / 10);
		const end = Math.floor(((d + 1) * order.length) / 10);
		let hits = 0;
		for (let k = start; k < end; k++) if (converted[order[k]]) hits++;
		deciles.push(end > start ? hits / (end - start) : 0);
	}
	return deciles;
}

export type ThresholdGoal = 'f1' | 'youden' | 'targetRecall';

/**
 * The threshold (a score value: PQL = score ≥ threshold) that best serves the goal on these
 * labelled scores. targetRecall: the highest threshold that still catches that share of converters.
 */
export function bestThreshold(scores: number[], converted: boolean[], goal: ThresholdGoal, targetRecall = 0.6): number {
	const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
	const positives = converted.filter(Boolean).length;
	const negatives = scores.length - positives;
	let tp = 0;
	let fp = 0;
	let best = { value: -Infinity, threshold: order.length > 0 ? scores[order[0]] : 0 };
	for (let k = 0; k < order.length; ) {
		const threshold = scores[order[k]];
		while (k < order.length && scores[order[k]] === threshold) {
			if (converted[order[k]]) tp++;
			else fp++;
			k++;
		}
		const recall = positives > 0 ? tp / positives : 0;
		if (goal === 'targetRecall') {
			if (recall >= targetRecall) return threshold;
			continue;
		}
		const precision = tp / (tp + fp);
		const value =
			goal === 'f1' ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : recall - (negatives > 0 ? fp / negatives : 0);
		if (value > best.value) best = { value, threshold };
	}
	return goal === 'targetRecall' && order.length > 0 ? scores[order[order.length - 1]] : best.threshold;
}
