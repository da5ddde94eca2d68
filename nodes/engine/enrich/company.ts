/** The one company shape every provider's answer is turned into. */
export type ProviderName = 'apollo' | 'peopleDataLabs' | 'hunter';

export const PROVIDER_NAMES: readonly ProviderName[] = ['apollo', 'peopleDataLabs', 'hunter'];

export const PROVIDER_LABELS: Record<ProviderName, string> = {
	apollo: 'Apollo',
	peopleDataLabs: 'People Data Labs',
	hunter: 'Hunter',
};

export interface Company {
	name: string | null;
	domain: string | null;
	industry: string | null;
	employees: number | null;
	/** LinkedIn-style band: 1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000, 5001-10000, 10001+. */
	employeeRange: string | null;
	country: string | null;
	/** A number when the provider gives one (Apollo), else the provider's own text ("$10M-$25M"). */
	annualRevenue: number | string | null;
	linkedinUrl: string | null;
	foundedYear: number | null;
	source: ProviderName | null;
	matched: boolean;
}

export function unmatchedCompany(domain: string | null): Company {
	return {
		name: null,
		domain,
		industry: null,
		employees: null,
		employeeRange: null,
		country: null,
		annualRevenue: null,
		linkedinUrl: null,
		foundedYear: null,
		source: null,
		matched: false,
	};
}

const EMPLOYEE_BANDS: Array<[number, string]> = [
	[10, '1-10'],
	[50, '11-50'],
	[200, '51-200'],
	[500, '201-500'],
	[1000, '501-1000'],
	[5000, '1001-5000'],
	[10000, '5001-10000'],
];

export function employeeRangeOf(employees: number | null): string | null {
	if (employees === null || employees < 1) return null;
	return EMPLOYEE_BANDS.find(([upTo]) => employees <= upTo)?.[1] ?? '10001+';
}

export function text(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
	return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

export function whole(value: unknown): number | null {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) ? Math.round(number) : null;
}

/** "united states" → "United States" (People Data Labs answers in lower case). */
export function titleCase(value: unknown): string | null {
	const raw = text(value);
	return raw === null ? null : raw.replace(/(^|[\s\-/(&])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** A full https URL from `linkedin.com/company/acme`, `company/acme` or a URL. */
export function linkedinUrlOf(value: unknown): string | null {
	const raw = text(value);
	if (raw === null) return null;
	const path = raw.replace(/^https?:\/\//i, '').replace(/^(www\.)?linkedin\.com\/?/i, '').replace(/^\/+/, '');
	return path === '' ? null : `https://www.linkedin.com/${path}`;
}
