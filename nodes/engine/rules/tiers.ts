import type { TierConfig } from './schema';

/**
 * Tiers as people type them in one field: "hot:70, warm:40, cold" — name:minimum score,
 * and at most one name without a score, which takes every score below the others.
 */
export function parseTierList(text: string): TierConfig[] {
	return text
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '')
		.map((part) => {
			const separator = part.search(/>=|:/);
			if (separator < 0) return { name: part, minScore: null };
			const name = part.slice(0, separator).trim();
			const score = part.slice(separator).replace(/^(>=|:)/, '').trim();
			const minScore = score === '' ? NaN : Number(score);
			return { name, minScore: Number.isFinite(minScore) ? minScore : (score as unknown as number) };
		});
}

export function formatTierList(tiers: TierConfig[]): string {
	return tiers.map((tier) => (tier.minScore === null ? tier.name : `${tier.name}:${tier.minScore}`)).join(', ');
}
