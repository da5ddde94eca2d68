import { employeeRangeOf, linkedinUrlOf, text, titleCase, whole, type Company } from '../company';
import { hostOf } from '../domain';
import { detail, header, interpretAnswer, isRecord, retryAfterMs, type ProviderSpec } from './answer';


function company(profile: Record<string, unknown>, domain: string): Company {
	const employees = whole(profile.employee_count);
	const location = isRecord(profile.location) ? profile.location : {};
	return {
		name: text(profile.display_name) ?? titleCase(profile.name),
		domain: hostOf(text(profile.website) ?? '') ?? domain,
		industry: titleCase(profile.industry),
		employees,
		employeeRange: text(profile.size) ?? employeeRangeOf(employees),
		country: titleCase(location.country),
		annualRevenue: text(profile.inferred_revenue),
		linkedinUrl: linkedinUrlOf(profile.linkedin_url),
		foundedYear: whole(profile.founded),
		source: 'peopleDataLabs',
		matched: true,
	};
}

/**
 * `x-ratelimit-reset`: documented as a UTC timestamp ("2022-02-23T20:19:55Z"), formerly epoch
 * seconds; the SDK notes JSON-like values with single quotes. The first timestamp or number in it.
 */
export function rateLimitResetMs(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	const iso = /\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?/.exec(value);
	if (iso) {
		const at = Date.parse(iso[0]);
		return Number.isNaN(at) ? undefined : Math.max(0, at - now);
	}
	const number = /\d+(\.\d+)?/.exec(value);
	if (!number) return undefined;
	const seconds = Number(number[0]);
	return seconds > 1e9 ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
}

/** Company Enrichment v5, `GET /v5/company/enrich?website=`: profile fields at the top level; 404 = no match (not billed). */
export const peopleDataLabs: ProviderSpec = {
	name: 'peopleDataLabs',
	credentialType: 'peopleDataLabsApi',
	request: (domain) => ({ path: '/v5/company/enrich', qs: { website: domain } }),
	interpret(answer, domain, now) {
		return interpretAnswer(answer, {
			success(body) {
				if (!isRecord(body) || (body.name == null && body.display_name == null)) return { kind: 'notFound' };
				return { kind: 'matched', company: company(body, domain), raw: body };
			},
			errorMessage: (body) => detail(isRecord(body) && isRecord(body.error) ? body.error.message : undefined),
			status(response, message) {
				if (response.status === 403) return { kind: 'rejectedCredentials', reason: `refused access (403)${message}` };
				if (response.status === 402) return { kind: 'exhausted', reason: `out of credits (402)${message}` };
				if (response.status !== 429) return undefined;
				const waitMs = retryAfterMs(header(response, 'retry-after'), now) ?? rateLimitResetMs(header(response, 'x-ratelimit-reset'), now);
				return { kind: 'rateLimited', waitMs, reason: 'too many requests (429)' };
			},
		});
	},
};
