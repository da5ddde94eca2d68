/**
 * The same rules n8n's verification scanner (@n8n/scan-community-package 0.32.0, `buildScanConfig` in
 * scanner/scanner.mjs) applies, on the same files (its SOURCE_FILE_PATTERNS: package.json and
 * nodes/, credentials/), with the plugin versions it installs. Inline `eslint-disable` comments do not
 * count there, so they do not count here either: a finding is fixed, not silenced.
 * `bash ../shared/tools/n8n-scan.sh . <tgz>` (test/scanner.pack.test.ts) runs the scanner itself.
 */
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesPlugin from 'eslint-plugin-n8n-nodes-base';
import { defineConfig } from 'eslint/config';

export default defineConfig(
	// Everything at the top level except what the scanner reads.
	{ ignores: ['*', '!package.json', '!nodes/', '!credentials/'] },
	{ linterOptions: { noInlineConfig: true } },
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
	{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.credentials.rules,
			// The scanner turns these two off (not valid for community nodes / covered by credential-password-field).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.nodes.rules,
			// The scanner turns these off (enum inputs/outputs, APIs with a real maximum).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	{ files: ['**/*.ts'], languageOptions: { parser: tsParser } },
);
