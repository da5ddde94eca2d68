import { normalizeEvent, type PqlEvent } from '../../nodes/engine/events';
import { DAY_MS } from '../../nodes/engine/time';
import { seededRandom } from './postHogLoad';

export { seededRandom };

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
	const copy = [...items];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[copy[i], copy[j]] = [copy[j], copy[i]];
	}
	return copy;
}

const PRODUCT_EVENTS = [
	'user_logged_in',
	'Signed In',
	'onboarding_completed',
	'core_feature_used',
	'Core Feature Used',
	'teammate_invited',
	'integration_connected',
	'plan_limit_reached',
	'enterprise_features_requested',
	'report_exported',
];
const EMAIL_DOMAINS = ['acme.io', 'globex.com', 'gmail.com', 'initech.com', 'mailinator.com'];
const GROUPS = ['g-acme', 'g-globex', 'g-umbrella'];
const ROLES = ['CTO', 'Engineer', 'Founder', 'Product Manager'];

/**
 * A random stream in PostHog and Segment shapes: identify / group / track / page interleavings,
 * retried duplicates (same id), out-of-order and slightly future timestamps (within the accepted
 * clock skew), personal and company e-mails, PostHog bodies with empty group properties.
 */
export function randomStream(seed: number, now: number, count: number): PqlEvent[] {
	const random = seededRandom(seed);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const users = Array.from({ length: 8 }, (_, n) => `u${seed}-${n}`);
	const raws: unknown[] = [];
	for (let n = 0; n < count; n++) {
		const userId = pick(users);
		// Mostly the last 40 days; a few up to 4 minutes ahead (clock skew, clamped by both paths).
		const offset = random() < 0.05 ? -random() * 4 * 60_000 : random() * 40 * DAY_MS;
		const timestamp = new Date(Math.round(now - offset)).toISOString();
		const id = `e${seed}-${n}`;
		const roll = random();
		const group = random() < 0.6 ? pick(GROUPS) : undefined;
		if (roll < 0.12) {
			const traits: Record<string, unknown> = { email: `${userId}@${pick(EMAIL_DOMAINS)}` };
			if (random() < 0.5) traits.role = pick(ROLES);
			if (random() < 0.3) traits.createdAt = new Date(now - random() * 120 * DAY_MS).toISOString();
			raws.push({ type: 'identify', messageId: id, userId, traits, timestamp, ...(group ? { context: { groupId: group } } : {}) });
		} else if (roll < 0.2) {
			const traits: Record<string, unknown> = {};
			if (random() < 0.7) traits.employees = Math.floor(random() * 2000);
			if (random() < 0.5) traits.name = `${pick(GROUPS)} Inc`;
			if (random() < 0.4) traits.industry = pick(['Software', 'Retail', 'SaaS']);
			raws.push({ type: 'group', messageId: id, userId, groupId: group ?? pick(GROUPS), traits, timestamp });
		} else if (roll < 0.3) {
			raws.push({
				event: {
					uuid: id,
					event: '$pageview',
					distinct_id: userId,
					timestamp,
					properties: { $current_url: random() < 0.5 ? 'https://app.example.com/pricing' : 'https://app.example.com/home', ...(group ? { $groups: { company: group } } : {}) },
				},
				person: { properties: random() < 0.3 ? { email: `${userId}@${pick(EMAIL_DOMAINS)}` } : {} },
				// PostHog bodies always carry the group's properties, often empty.
				...(group ? { groups: { company: { id: group, properties: random() < 0.2 ? { employees: Math.floor(random() * 500) } : {} } } } : {}),
			});
		} else if (roll < 0.6) {
			raws.push({
				event: { uuid: id, event: pick(PRODUCT_EVENTS), distinct_id: userId, timestamp, properties: group ? { $groups: { company: group } } : {} },
				person: { properties: {} },
				...(group ? { groups: { company: { id: group, properties: {} } } } : {}),
			});
		} else {
			raws.push({ type: 'track', messageId: id, userId, event: pick(PRODUCT_EVENTS), timestamp, properties: {}, ...(group ? { context: { groupId: group } } : {}) });
		}
		// Retried deliveries: the same event again, later in the stream.
		if (random() < 0.08) raws.splice(Math.floor(random() * raws.length), 0, raws[raws.length - 1]);
	}
	return raws.map((raw) => normalizeEvent(raw, 'auto', { accountGroupType: 'company' }));
}
