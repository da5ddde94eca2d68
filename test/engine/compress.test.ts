import { compressText, decompressText, isCompressedText } from '../../nodes/engine/state/compress';
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
		expect(packed).toMatch(/^lz1:\d+:[A-Za-z0-9+/]*$/);
		expect(decompressText(packed)).toBe(text === '\ud83d' ? '\ufffd' : text);
	});

	it('makes repetitive JSON several times smaller', () => {
		const json = JSON.stringify(Array.from({ length: 5000 }, (_, i) => [`acct-${i}`, i * 7919, [0, 3600000, [1, 2]], `user0@acct-${i}.example.com`]));
		expect(compressText(json).length).toBeLessThan(json.length / 3);
	});

	it('refuses a cut or damaged string with a clear error, and never hangs on one', () => {
		const packed = compressText(JSON.stringify({ hello: 'world', list: [1, 2, 3, 1, 2, 3, 1, 2, 3] }));
		expect(() => decompressText(packed.slice(0, -4))).toThrow('compressed snapshot');
		expect(() => decompressText(packed.replace(/:(\d+):/, (_, n) => `:${Number(n) + 1}:`))).toThrow('compressed snapshot');
		expect(() => decompressText(`${packed.slice(0, -1)}*`)).toThrow('not base64');
		expect(() => decompressText('lz1:12')).toThrow('no header');
		// Every cut is refused; a changed character is refused or decodes to other text (no checksum: readSnapshot's JSON.parse and format check are what refuse it), never hangs.
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
			if (decoded !== undefined) expect(decoded).not.toBe(text);
		}
	});
});
