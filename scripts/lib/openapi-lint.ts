import { Document, Spectral } from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';

// Spectral's recommended OpenAPI ruleset (`spectral:oas`, what `spectral lint` uses by default), run in-process on
// the served document: what an app team's linter would tell them about /openapi.json.

const severities = ['error', 'warn', 'info', 'hint'] as const;

export interface LintFinding {
  severity: (typeof severities)[number];
  rule: string;
  at: string;
  message: string;
}

export async function lintOpenApi(document: unknown): Promise<LintFinding[]> {
  const spectral = new Spectral();
  spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
  const results = await spectral.run(new Document(JSON.stringify(document, null, 2), spectralParsers.Json, 'openapi.json'));
  return results.map((r) => ({
    severity: severities[r.severity] ?? 'hint',
    rule: String(r.code),
    at: r.path.join('.'),
    message: r.message,
  }));
}

export function formatFindings(findings: LintFinding[]): string {
  return findings.map((f) => `${f.severity.padEnd(5)} ${f.rule.padEnd(28)} ${f.at}: ${f.message}`).join('\n');
}
