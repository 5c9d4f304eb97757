import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleRemediationProgram, GENERATED_FILE, generatedSource } from '../../scripts/bundle-remediation';
import { REMEDIATION_PROGRAM_JS } from '../../src/remediation/program-bundle.generated';

describe('the remediation program bundle', () => {
  test('GIVEN the sources WHEN re-transpiled THEN the generated file is current (else run scripts/bundle-remediation.ts)', () => {
    const bundle = bundleRemediationProgram();
    expect(REMEDIATION_PROGRAM_JS).toBe(bundle);
    expect(fs.readFileSync(GENERATED_FILE, 'utf8')).toBe(generatedSource(bundle));
  });

  test('GIVEN the bundle WHEN read THEN it requires only Node built-ins', () => {
    const required = [...REMEDIATION_PROGRAM_JS.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort();
    expect([...new Set(required)]).toEqual(['./decide', 'fs', 'http', 'https', 'net']);
  });

  test('GIVEN the bundle in a directory of its own WHEN run with plain node --help THEN it prints the usage and exits 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-bundle-'));
    try {
      const file = path.join(dir, 'remediate.js');
      fs.writeFileSync(file, REMEDIATION_PROGRAM_JS);
      const out = execFileSync(process.execPath, [file, '--help'], { env: { PATH: process.env.PATH }, cwd: dir }).toString();
      expect(out).toContain('Usage: node remediate.js [--config <path>] [--dry-run]');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN an unknown argument or a missing config WHEN run THEN it logs one JSON error line and exits 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-bundle-'));
    try {
      const file = path.join(dir, 'remediate.js');
      fs.writeFileSync(file, REMEDIATION_PROGRAM_JS);
      const run = (args: string[]) => {
        try {
          execFileSync(process.execPath, [file, ...args], { env: { PATH: process.env.PATH } });
          return { status: 0, out: '' };
        } catch (e: any) {
          return { status: e.status, out: JSON.parse(e.stdout.toString()) };
        }
      };
      expect(run(['--frobnicate'])).toEqual({ status: 2, out: expect.objectContaining({ level: 'error', event: 'usage', error: 'unknown argument "--frobnicate"' }) });
      const missing = run(['--config', path.join(dir, 'nope.json')]);
      expect(missing.status).toBe(2);
      expect(missing.out).toMatchObject({ level: 'error', event: 'config-error' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
