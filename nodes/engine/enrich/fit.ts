import { toList, toRange } from '../rules/conditions';
import { compileModel, type CompiledModel } from '../rules/compile';
import type { RuleConfig } from '../rules/schema';
import { scoreAccountRow } from '../rows';
import type { Company } from './company';

/**
 * The ideal-customer-profile check of Enrich Account: a fit-only rules model scored by PQL Score's
 * own engine, so points and reasons read exactly like PQL Score's ("Company of target size: 200
 * employees (+10)"). The rule names and reasons are those of PQL Score's worked-example fit rules.
 */
export interface FitCriteria {
	/** "50..1000", "50-1000" or "1000+"; empty = no size rule. */
	employees?: string;
	employeePoints?: number;
	/** Comma-separated; empty = no industry rule. */
	industries?: string;
	industryPoints?: number;
	countries?: string;
	countryPoints?: number;
}

export interface FitResult {
	points: number;
	reasons: string[];
}

export class FitCriteriaError extends Error {}

/** "50-1000" → "50..1000", "1000+" → "1000..Infinity"; "50..1000" as it is. */
export function employeeBand(text: string): string {
	const band = text.trim().replace(/\s+/g, '');
	const plus = /^(\d+)\+$/.exec(band);
	if (plus) return `${plus[1]}..Infinity`;
	const dash = /^(\d+)-(\d+)$/.exec(band);
	return dash ? `${dash[1]}..${dash[2]}` : band;
}

function points(value: number | undefined, label: string): number {
	const number = value ?? 10;
	if (typeof number !== 'number' || !Number.isFinite(number)) throw new FitCriteriaError(`"${label}" must be a number, got ${JSON.stringify(value)}`);
	return number;
}

function fitRules(criteria: FitCriteria): RuleConfig[] {
	const rules: RuleConfig[] = [];
	const trait = (name: string, field: string, operator: RuleConfig['operator'], value: unknown, rulePoints: number, reason: string): RuleConfig => ({
		name,
		category: 'fit',
		type: 'trait',
		scope: 'account',
		trait: field,
		operator,
		value,
		points: rulePoints,
		reason,
	});
	if (criteria.employees?.trim()) {
		const band = employeeBand(criteria.employees);
		const [min, max] = toRange(band);
		if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
			throw new FitCriteriaError(`"Employees" must be a range like 50..1000, 50-1000 or 1000+, got ${JSON.stringify(criteria.employees)}`);
		}
		rules.push(trait('Target Company Size', 'employees', 'between', band, points(criteria.employeePoints, 'Employees Points'), 'Company of target size: {actual} employees'));
	}
	const industries = toList(criteria.industries ?? '');
	if (industries.length > 0) {
		rules.push(trait('Target Industry', 'industry', 'oneOf', industries, points(criteria.industryPoints, 'Industries Points'), 'Target industry: {actual}'));
	}
	const countries = toList(criteria.countries ?? '');
	if (countries.length > 0) {
		rules.push(trait('Target country', 'country', 'oneOf', countries, points(criteria.countryPoints, 'Countries Points'), 'Target country: {actual}'));
	}
	if (rules.length === 0) throw new FitCriteriaError('ICP fit is on but sets no criterion: give employees, industries or countries');
	return rules;
}

/** Compiles the criteria into a fit-only model; throws FitCriteriaError naming the field. */
export function fitModel(criteria: FitCriteria): CompiledModel {
	return compileModel({ mode: 'points', threshold: 0, rules: fitRules(criteria) });
}

export function scoreFit(model: CompiledModel, company: Company, asOf: number): FitResult {
	const row = { ...company, accountId: company.domain ?? 'unknown' };
	const result = scoreAccountRow(model, row, { asOf });
	return { points: result.score, reasons: result.reasons };
}
