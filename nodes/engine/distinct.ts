/**
 * A set of distinct values that stays a small array while it is small: most accounts have a
 * handful of users and active days, and a Set per account per rule costs several times more memory.
 */
export type DistinctValues<T> = T[] | Set<T>;

const ARRAY_LIMIT = 32;

export function addDistinct<T>(values: DistinctValues<T>, value: T): DistinctValues<T> {
	if (!Array.isArray(values)) return values.add(value);
	if (values.indexOf(value) >= 0) return values;
	if (values.length < ARRAY_LIMIT) {
		values.push(value);
		return values;
	}
	return new Set(values).add(value);
}

export function distinctCount<T>(values: DistinctValues<T> | undefined): number {
	if (values === undefined) return 0;
	return Array.isArray(values) ? values.length : values.size;
}

export function distinctList<T>(values: DistinctValues<T> | undefined): T[] {
	if (values === undefined) return [];
	return Array.isArray(values) ? values : [...values];
}
