import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..');

/** Loads `specifier` in a fresh Node process from the package root and lists which frameworks it pulled in. */
function loadedFrameworks(specifier: string): { exports: string[]; pulumi: boolean; cdk8s: boolean } {
  const script = `
    const m = require(${JSON.stringify(specifier)});
    const files = Object.keys(require.cache);
    console.log(JSON.stringify({
      exports: Object.keys(m).sort(),
      pulumi: files.some((f) => f.includes('/node_modules/@pulumi/')),
      cdk8s: files.some((f) => /\\/node_modules\\/(cdk8s|cdk8s-plus-28|constructs)\\//.test(f)),
    }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
}

describe('package entry points (after `npm run compile`)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'lib', 'index.js'))) {
      throw new Error('lib/ is missing: `npm test` compiles first; when running jest alone, run `npm run compile` before this test.');
    }
  });

  test('GIVEN require("memguard") WHEN loaded THEN neither cdk8s nor Pulumi is loaded', () => {
    const result = loadedFrameworks('memguard');
    expect(result.pulumi).toBe(false);
    expect(result.cdk8s).toBe(false);
    expect(result.exports).toEqual(expect.arrayContaining(['Memory', 'Cpu', 'InputError', 'containerMemory', 'runtimeSettings', 'applyMemoryLimitPolicy']));
  });

  test('GIVEN require("memguard/cdk8s") WHEN loaded THEN cdk8s is loaded and Pulumi is not', () => {
    const result = loadedFrameworks('memguard/cdk8s');
    expect(result.pulumi).toBe(false);
    expect(result.cdk8s).toBe(true);
    expect(result.exports).toEqual(expect.arrayContaining(['NamespaceGuardrails', 'MemoryTunedDeployment', 'MemoryLimitPolicy', 'Memory']));
  });

  test('GIVEN require("memguard/pulumi") WHEN loaded THEN it offers the components', () => {
    const result = loadedFrameworks('memguard/pulumi');
    expect(result.pulumi).toBe(true);
    expect(result.exports).toEqual(expect.arrayContaining(['NamespaceGuardrails', 'MemoryTunedDeployment', 'memoryLimitPolicy', 'ChartComponent']));
  });

  test('GIVEN the compiled CLI WHEN run with --help THEN it lists its commands', () => {
    const help = execFileSync(process.execPath, [join(root, 'lib', 'cli', 'main.js'), '--help'], { encoding: 'utf8' });
    expect(help).toContain('Usage: memguard');
    expect(help).toContain('limits');
  });
});
