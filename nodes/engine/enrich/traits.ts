import type { Properties } from '../events/model';
import type { Company } from './company';

/**
 * Where the enriched company lands besides `company`, so that PQL Score reads it without a mapping
 * step: its trait rules read pre-aggregated account rows' own fields (`employees`, `industry`, …)
 * and flat events' `accountTraits`. Values already on the item are never overwritten.
 * - auto: the item's own fields; for a flat product event (`event` + `timestamp`) its accountTraits;
 * - itemFields / accountTraits: always that one; none: only `company`.
 */
export type TraitsTarget = 'auto' | 'itemFields' | 'accountTraits' | 'none';

const TRAIT_FIELDS = ['name', 'domain', 'industry', 'employees', 'employeeRange', 'country', 'annualRevenue', 'linkedinUrl', 'foundedYear'] as const;
/** The fields PQL Score's flat-event reader takes the account id from. */
const EVENT_ACCOUNT_FIELDS = ['accountId', 'account_id', 'groupId'];

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** The company's known values added where `target` has none. */
function fillMissing(target: Properties, company: Company): Properties {
	const filled = { ...target };
	for (const field of TRAIT_FIELDS) {
		if (company[field] !== null && isEmpty(filled[field])) filled[field] = company[field];
	}
	return filled;
}

export function isFlatEvent(item: Properties): boolean {
	return typeof item.event === 'string' && !isEmpty(item.timestamp ?? item.time);
}

/**
 * Account traits attach to an event's account. An event without an account id gets the company
 * domain as one: the account PQL Score would form from the user's company e-mail domain.
 */
function withEventTraits(item: Properties, company: Company): Properties {
	const existing = item.accountTraits;
	const traits = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Properties) : {};
	const result: Properties = { ...item, accountTraits: fillMissing(traits, company) };
	if (EVENT_ACCOUNT_FIELDS.every((field) => isEmpty(item[field])) && company.domain !== null) result.accountId = company.domain;
	return result;
}

export function withAccountTraits(item: Properties, company: Company, target: TraitsTarget): Properties {
	if (!company.matched || target === 'none') return item;
	if (target === 'accountTraits' || (target === 'auto' && isFlatEvent(item))) return withEventTraits(item, company);
	return fillMissing(item, company);
}
