import type { Steps } from './steps';

/**
 * Lists of packed documents written as columns: each field of every document together (ids with ids,
 * times with times), which the compressor codes in about a third fewer bytes (README, "Capacity of the
 * built-in store"). A column whose values are all lists (or null) is split into columns again, down to
 * a depth, with each list's length kept (−1: null), so lists of any length come back exactly.
 */
export type Column = ['v', unknown[]] | ['t', number[], ...Column[]];

const isList = (value: unknown): value is unknown[] => Array.isArray(value);

function splits(values: readonly unknown[], depth: number): boolean {
	if (depth === 0) return false;
	let lists = 0;
	for (const value of values) {
		if (isList(value)) lists++;
		else if (value !== null && value !== undefined) return false;
	}
	return lists > 0;
}

/** The column of `values` as JSON text, one field column per step (undefined values are written as null). */
export function* columnJson(values: readonly unknown[], depth: number): Steps<string> {
	if (!splits(values, depth)) {
		const text = JSON.stringify(['v', values]);
		yield;
		return text;
	}
	const lengths = new Array<number>(values.length);
	let width = 0;
	for (let row = 0; row < values.length; row++) {
		const value = values[row];
		lengths[row] = isList(value) ? value.length : -1;
		if (lengths[row] > width) width = lengths[row];
	}
	const parts = [`["t",${JSON.stringify(lengths)}`];
	for (let field = 0; field < width; field++) {
		const fieldValues = values.map((value) => (isList(value) && field < value.length ? value[field] : null));
		parts.push(yield* columnJson(fieldValues, depth - 1));
	}
	return `${parts.join(',')}]`;
}

/** The values of a column read back from JSON (throws on a damaged one). */
export function fromColumn(column: Column): unknown[] {
	if (column[0] === 'v' && isList(column[1])) return column[1];
	if (column[0] !== 't' || !isList(column[1])) throw new Error('damaged column');
	const [, lengths, ...packedFields] = column;
	const fields = packedFields.map(fromColumn);
	return lengths.map((length, row) => {
		if (length < 0) return null;
		const value = new Array<unknown>(length);
		for (let field = 0; field < length; field++) value[field] = fields[field][row];
		return value;
	});
}
