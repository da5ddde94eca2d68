/**
 * Enough of MIME (RFC 2045–2047) to read back what nodemailer sends: headers with encoded words,
 * multipart bodies (nested), quoted-printable and base64 parts. Test code only.
 */
export interface ParsedMail {
	/** Lower-cased names, unfolded and decoded; the last value wins. */
	headers: Record<string, string>;
	subject: string;
	text: string | undefined;
	html: string | undefined;
}

function decodeQuotedPrintable(text: string): Buffer {
	const unsoft = text.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < unsoft.length; i++) {
		if (unsoft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(unsoft.slice(i + 1, i + 3))) {
			bytes.push(parseInt(unsoft.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(unsoft[i], 'utf8'));
		}
	}
	return Buffer.from(bytes);
}

/** `=?utf-8?Q?…?=` / `=?utf-8?B?…?=` words (RFC 2047), adjacent words joined. */
export function decodeEncodedWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, data: string) =>
			encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
		);
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
	const end = raw.search(/\r?\n\r?\n/);
	const head = end === -1 ? raw : raw.slice(0, end);
	const body = end === -1 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeEncodedWords(line.slice(colon + 1).trim());
	}
	return { headers, body };
}

function parameter(header: string | undefined, name: string): string | undefined {
	const match = new RegExp(`${name}="?([^";]+)"?`, 'i').exec(header ?? '');
	return match?.[1];
}

function decodeBody(body: string, encoding: string | undefined): string {
	switch ((encoding ?? '7bit').toLowerCase()) {
		case 'quoted-printable':
			return decodeQuotedPrintable(body).toString('utf8');
		case 'base64':
			return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
		default:
			return body;
	}
}

function collectParts(raw: string, into: { text?: string; html?: string }): void {
	const { headers, body } = splitHeaders(raw);
	const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
	if (type.startsWith('multipart/')) {
		const boundary = parameter(headers['content-type'], 'boundary');
		if (!boundary) return;
		const parts = body.split(`--${boundary}`).slice(1);
		for (const part of parts) {
			if (part.startsWith('--')) break;
			collectParts(part.replace(/^\r?\n/, ''), into);
		}
		return;
	}
	// Line ends as a mail client shows them: LF.
	const decoded = decodeBody(body, headers['content-transfer-encoding']).replace(/\r\n/g, '\n').replace(/\n$/, '');
	if (type.startsWith('text/html')) into.html ??= decoded;
	else if (type.startsWith('text/plain')) into.text ??= decoded;
}

export function parseMail(raw: string): ParsedMail {
	const { headers } = splitHeaders(raw);
	const parts: { text?: string; html?: string } = {};
	collectParts(raw, parts);
	return { headers, subject: headers.subject ?? '', text: parts.text, html: parts.html };
}
