import type { Properties } from './events/model';
import { readPath, toNumber } from './rules/conditions';
import type { CompiledModel } from './rules/compile';
import { scoreSubject, type ScoreResult, type SubjectFeatures } from './score';
import { parseTimestamp } from './time';
import { signupTrait } from './traits';

/**
 * Pre-aggregated account rows (a warehouse or HogQL query: one row per account with measured
 * columns). Event rules read their value from the column named by the rule's `column`, by default
 * its key (the name in snake_case: "Frequent Logins" → `frequent_logins`); trait rules read the row.
 */
export interface RowOptions {
	asOf: number;
	/** Column holding the account id; empty = the first of accountId, account_id, id, domain. */
	idField?: string;
}

export const ROW_ID_FIELDS = ['accountId', 'account_id', 'id', 'domain'];

export class RowFormatError extends Error {}

export function rowId(row: Properties, idField: string | undefined): string {
	const fields = idField ? [idField] : ROW_ID_FIELDS;
	for (const field of fields) {
		const value = readPath(row, field);
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (typeof value === 'number') return String(value);
	}
	throw new RowFormatError(`no account id: expected a value in ${fields.map((field) => `"${field}"`).join(' or ')}`);
}

export function scoreAccountRow(model: CompiledModel, row: Properties, options: RowOptions): ScoreResult {
	const id = rowId(row, options.idField);
	const count = model.rules.length;
	const features: SubjectFeatures = {
		values: new Array<number>(count).fill(NaN),
		lastMatch: new Array<number>(count).fill(NaN),
		traitValues: new Array<unknown>(count),
	};
	for (const rule of model.rules) {
		if (rule.type === 'trait') {
			const value = readPath(row, rule.config.trait!);
			features.values[rule.index] = rule.traitTest!(value) ? 1 : 0;
			features.traitValues[rule.index] = value;
		} else {
			const cell = readPath(row, rule.key);
			const value = toNumber(cell);
			if (cell !== undefined && cell !== null && cell !== '' && Number.isNaN(value)) {
				throw new RowFormatError(`column "${rule.key}" (rule "${rule.name}") must be a number, got ${JSON.stringify(cell)}`);
			}
			features.values[rule.index] = value;
		}
	}
	const firstSeen = parseTimestamp(row.firstSeen ?? row.first_seen);
	if (model.needsSignup) {
		const fromTraits = signupTrait(undefined, row, []);
		features.signupAt = Number.isNaN(fromTraits) ? firstSeen : fromTraits;
	}
	const lastSeen = parseTimestamp(row.lastSeen ?? row.last_seen);
	return scoreSubject(
		model,
		{
			level: 'account',
			id,
			name: typeof row.name === 'string' ? row.name : undefined,
			accountId: id,
			users: [],
			firstSeen: Number.isNaN(firstSeen) ? undefined : firstSeen,
			lastSeen: Number.isNaN(lastSeen) ? undefined : lastSeen,
			activeDays: toNumber(row.activeDays ?? row.active_days) || 0,
			eventCounts: {},
		},
		features,
		options.asOf,
	);
}
