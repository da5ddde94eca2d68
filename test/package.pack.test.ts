import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	keywords: string[];
	license: string;
	dependencies?: Record<string, string>;
	peerDependencies: Record<string, string>;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
};

describe('the npm package', () => {
	beforeAll(() => {
		execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
	}, 120_000);

	test('is a community node package with no runtime dependencies', () => {
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	});

	test('the packed tarball holds every dist file the n8n field names, with their icons', () => {
		const [packed] = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString(),
		) as Array<{ files: Array<{ path: string }> }>;
		const files = new Set(packed.files.map((file) => file.path));
		const listed = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(listed.length).toBeGreaterThan(0);
		for (const path of listed) {
			expect(path).toMatch(/^dist\/.+\.js$/);
			expect(files).toContain(path);
			// n8n loads the class named like the file from it.
			const className = path.split('/').pop()!.split('.')[0];
			const loaded = require(join(root, path)) as Record<string, new () => { description?: { icon?: unknown }; icon?: unknown }>;
			expect(typeof loaded[className]).toBe('function');
			const instance = new loaded[className]();
			// Nodes carry their icon in the description, credentials on the class.
			const icon = (instance.description?.icon ?? instance.icon) as { light: string; dark: string };
			for (const file of [icon.light, icon.dark]) {
				const iconPath = join(root, path, '..', file.replace('file:', ''));
				expect(existsSync(iconPath)).toBe(true);
				expect(files).toContain(iconPath.slice(root.length + 1));
			}
		}
	});
});
