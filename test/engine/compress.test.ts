import { compressText, decompressText, isCompressedText } from '../../nodes/engine/state/compress';
import { codeLengths, MAX_CODE_BITS } from '../../nodes/engine/state/huffman';
import { seededRandom } from '../helpers/postHogLoad';

describe('snapshot compression', () => {
	const next = seededRandom(7);
	const pieces = ['{"accounts":[', '"acct-', 'user@acme.io', '],[', '0,0,', 'Zürich', '名前', '🚀', '"\\u0000"', '\n'];
	const samples: string[] = [
		'',
		'a',
		'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
		'\ud83d', // a lone surrogate is not text: TextEncoder writes U+FFFD
		Array.from({ length: 20_000 }, () => pieces[Math.floor(next() * pieces.length)] + Math.floor(next() * 1e6)).join(''),
		Array.from({ length: 3000 }, () => String.fromCharCode(Math.floor(next() * 0xd7ff))).join(''),
	];

	it.each(samples.map((text, i) => [i, text]))('round-trips sample %i', (_, text) => {
		const packed = compressText(text);
		expect(isCompressedText(packed)).toBe(true);
		expect(packed).toMatch(/^lz3:\d+:[!#-&(-[\]-~]*$/);
		expect(decompressText(packed)).toBe(text === '\ud83d' ? '\ufffd' : text);
	});

	it('round-trips text longer than a block (1 MiB), with matches reaching back across blocks', () => {
		const line = Array.from({ length: 200 }, (_, i) => `["acct-${i}",${i * 7919},"user${i}@acct-${i}.example.com"]`).join(',');
		const noise = Array.from({ length: 140_000 }, () => Math.floor(next() * 1e9).toString(36)).join('');
		const text = `${line}${noise}${line}${noise.slice(0, 300_000)}${line}`.repeat(2);
		expect(text.length).toBeGreaterThan(2 ** 21);
		expect(decompressText(compressText(text))).toBe(text);
	});

	it('reads the same codes in base64 (lz2, saved by the previous version)', () => {
		const text = '{"format":4,"accounts":[["acct-1",0,[1,2,3]],["acct-2",0,[1,2,3]],["acct-3",0,[1,2,3]]],"note":"Zürich 🚀"}';
		const base64 =
			'lz2:110:AAAAAAAAAAAAAAAAAAAAAAYDAAAAAGQAVlUGAAAFAAAAAAAAAAAAAAAAAAAAVlAAUFBgBmYAYFUAZWQAAGBgAAYAAAAAAAAAAAAAAAAGAGAAAAAAAAAAAAAAAAAAAAYAAGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABgAAAAAAAABmAAZgUAAAAAAAAAAAAAAAAAAAABEAAAAAAAAAAAAAAAAAAACwoItpdAxdE5z3cQ48QRvzgksBqsgIkqSspS9lRqqftIQQuYVGc51p8H1xH/uG9QE';
		expect(isCompressedText(base64)).toBe(true);
		expect(decompressText(base64)).toBe(text);
		const current = compressText(text);
		expect(current.length).toBeLessThan(base64.length);
		expect(JSON.parse(JSON.stringify(current))).toBe(current);
		expect(JSON.stringify(current)).toHaveLength(current.length + 2);
	});

	it('reads the earlier format (lz1, saved by versions before this one)', () => {
		const text = '{"format":3,"accounts":[["acct-1",0,[1,2,3]],["acct-2",0,[1,2,3]],["acct-3",0,[1,2,3]]],"note":"Zürich 🚀"}';
		const earlier = 'lz1:110:8Ap7ImZvcm1hdCI6MywiYWNjb3VudHMiOltbDfMBdC0xIiwwLFsxLDIsM11dLBUfMhUBGDMV8AldLCJub3RlIjoiWsO8cmljaCDwn5qAIn0';
		expect(isCompressedText(earlier)).toBe(true);
		expect(decompressText(earlier)).toBe(text);
		expect(() => decompressText(earlier.slice(0, -3))).toThrow('compressed snapshot');
	});

	it('makes repetitive JSON several times smaller', () => {
		const json = JSON.stringify(Array.from({ length: 5000 }, (_, i) => [`acct-${i}`, i * 7919, [0, 3600000, [1, 2]], `user0@acct-${i}.example.com`]));
		expect(compressText(json).length).toBeLessThan(json.length / 3);
	});

	it('refuses a cut or damaged string with a clear error, and never hangs on one', () => {
		const packed = compressText(JSON.stringify({ hello: 'world', list: [1, 2, 3, 1, 2, 3, 1, 2, 3] }));
		expect(() => decompressText(packed.slice(0, -4))).toThrow('compressed snapshot');
		expect(() => decompressText(packed.replace(/:(\d+):/, (_, n) => `:${Number(n) + 1}:`))).toThrow('compressed snapshot');
		expect(() => decompressText(`${packed.slice(0, -1)}"`)).toThrow('not base91');
		expect(() => decompressText(`lz2:5:${'A'.repeat(8)}*`)).toThrow('not base64');
		expect(() => decompressText('lz1:12')).toThrow('no header');
		// Every cut is refused; a changed character is refused with our error or decodes to some text (maybe the same: bits a code
		// length of an unused symbol holds), never hangs; no checksum: readSnapshot's JSON.parse and format check refuse other text.
		const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: `acct-${i % 40}`, n: i % 7 })));
		const whole = compressText(text);
		for (let cut = whole.indexOf(':', 4) + 1; cut < whole.length; cut += 7) {
			expect(() => decompressText(whole.slice(0, cut))).toThrow('compressed snapshot');
			const changed = `${whole.slice(0, cut)}${whole[cut] === 'A' ? 'B' : 'A'}${whole.slice(cut + 1)}`;
			let decoded: string | undefined;
			try {
				decoded = decompressText(changed);
			} catch (error) {
				expect((error as Error).message).toMatch(/compressed snapshot/);
			}
			if (decoded !== undefined) expect(typeof decoded).toBe('string');
		}
	});

	it('keeps codes at most 15 bits long even for very skewed counts, as a valid prefix code', () => {
		const fibonacci = [1, 1];
		while (fibonacci.length < 40) fibonacci.push(fibonacci[fibonacci.length - 1] + fibonacci[fibonacci.length - 2]);
		const lengths = codeLengths(Uint32Array.from([...fibonacci, 0, 0]));
		expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_CODE_BITS);
		expect(lengths.slice(0, 40).every((length) => length > 0)).toBe(true);
		expect([...lengths.slice(40)]).toEqual([0, 0]);
		expect([...lengths].reduce((kraft, length) => kraft + (length > 0 ? 2 ** -length : 0), 0)).toBeLessThanOrEqual(1);
		// Text whose byte counts are as skewed round-trips.
		const text = fibonacci.slice(0, 22).map((count, i) => String.fromCharCode(33 + i).repeat(Math.min(count, 20_000))).join('');
		const shuffled = [...text].sort((a, b) => ((a.charCodeAt(0) * 7919) % 13) - ((b.charCodeAt(0) * 7919) % 13)).join('');
		expect(decompressText(compressText(shuffled))).toBe(shuffled);
	});
});
