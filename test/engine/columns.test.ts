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

	test('a damaged column is refused, not read as other documents', () => {
		expect(() => fromColumn(['x', []] as unknown as Column)).toThrow('damaged column');
		expect(() => fromColumn(['t', [1], ['q', 1]] as unknown as Column)).toThrow('damaged column');
	});
});
