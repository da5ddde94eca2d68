import { columnJson, fromColumn, type Column } from '../../nodes/engine/state/columns';
import { runSteps } from '../../nodes/engine/state/steps';

const roundTrip = (values: unknown[], depth: number) => fromColumn(JSON.parse(runSteps(columnJson(values, depth))) as Column);

describe('documents as columns', () => {
	test('rows of any shape come back exactly: lists of different lengths, [] apart from null, nested lists', () => {
		const rows = [
			['acct-1', 0, [1, 2, 3], [[1, 0, 3600000, 0]], null, [2, 'Account 1', 0], 'x'],
			['acct-2', 7919, [], [[6, 0, 3600000, 0], [7, 1]], [0], null],
			['acct-3', -1, null, [], [[1, [2, [3]]]], [2, 'Zürich 🚀', { a: 1 }], null, 5],
			[],
		];
		for (const depth of [0, 1, 2, 3, 5]) expect(roundTrip(rows, depth)).toEqual(rows);
		expect(roundTrip(rows, 2)[1]).toHaveLength(6);
		expect((roundTrip(rows, 2)[0] as unknown[])[4]).toBeNull();
		expect((roundTrip(rows, 2)[1] as unknown[])[2]).toEqual([]);
	});

	test('undefined is written as null, as JSON writes it in a list', () => {
		expect(roundTrip([[1, undefined, 3], undefined], 2)).toEqual([[1, null, 3], null]);
	});

	test('fields are grouped: every row’s first field, then every row’s second', () => {
		const json = runSteps(columnJson([['a', 1], ['b', 2]], 1));
		expect(JSON.parse(json)).toEqual(['t', [2, 2], ['v', ['a', 'b']], ['v', [1, 2]]]);
	});

	test('a column mostly of UUIDs is written as their bytes; other values keep their row, and every value comes back exactly', () => {
		const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-0f1e-4d2c-8b3a-${(n * 7919).toString(16).padStart(12, '0')}`;
		const values = [uuid(1), uuid(2), null, 'acct-3', uuid(0xffffffff), uuid(4).toUpperCase(), `${uuid(5)} `, 42, ['a'], uuid(6), undefined, uuid(11), uuid(12), uuid(13), uuid(14)];
		const json = runSteps(columnJson(values, 0));
		const column = JSON.parse(json) as Column;
		expect(column[0]).toBe('u');
		expect(json).not.toContain(uuid(1));
		// The values that are not lowercase UUIDs, by row (undefined written as null, as elsewhere).
		expect(column[2]).toEqual([2, null, 3, 'acct-3', 5, uuid(4).toUpperCase(), 6, `${uuid(5)} `, 7, 42, 8, ['a'], 10, null]);
		expect(fromColumn(column)).toEqual(values.map((value) => value ?? null));
		// Ids nested in documents too, at any depth; fewer than half UUIDs: written as they are.
		const rows = [[uuid(7), [uuid(8), 1]], [uuid(9), [uuid(10), 2]], ['x', null]];
		for (const depth of [1, 2]) expect(roundTrip(rows, depth)).toEqual(rows);
		expect(JSON.parse(runSteps(columnJson([uuid(1), 'a', 'b'], 0)))[0]).toBe('v');
		expect(roundTrip([], 0)).toEqual([]);
	});

	test('a damaged UUID column is refused', () => {
		expect(() => fromColumn(['u', 'AAAA', []] as unknown as Column)).toThrow('damaged column');
		expect(() => fromColumn(['u', '', [0]] as unknown as Column)).toThrow('damaged column');
	});

	test('a damaged column is refused, not read as other documents', () => {
		expect(() => fromColumn(['x', []] as unknown as Column)).toThrow('damaged column');
		expect(() => fromColumn(['t', [1], ['q', 1]] as unknown as Column)).toThrow('damaged column');
	});
});
