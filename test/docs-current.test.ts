import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const COMMITTED = path.join(ROOT, 'docs', 'api');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Every file under `dir`, as sorted POSIX paths relative to it (`Dirent.parentPath` needs Node 20.12, so walk by hand). */
function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`])
    .sort();
}

/** The files that differ between two trees, each tagged with how. */
function differences(expectedDir: string, actualDir: string): string[] {
  const expected = new Set(listFiles(expectedDir));
  const actual = new Set(listFiles(actualDir));
  const diffs: string[] = [];
  for (const file of actual) {
    if (!expected.has(file)) {
      diffs.push(`missing from docs/api: ${file}`);
    } else if (!fs.readFileSync(path.join(expectedDir, file)).equals(fs.readFileSync(path.join(actualDir, file)))) {
      diffs.push(`changed: ${file}`);
    }
  }
  for (const file of expected) {
    if (!actual.has(file)) diffs.push(`no longer generated: ${file}`);
  }
  return diffs;
}

describe('the API reference in docs/api', () => {
  let outDir: string;

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-docs-'));
  });

  afterAll(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  test('is what `npm run docs` generates from the current JSDoc', () => {
    // GIVEN the typedoc options the `docs` task uses (typedoc.json), writing to a temp dir instead of docs/api
    const generated = path.join(outDir, 'api');

    // WHEN typedoc runs
    try {
      execFileSync(process.execPath, [TYPEDOC, '--options', 'typedoc.json', '--out', generated, '--logLevel', 'Error'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`typedoc failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }

    // THEN it produced the reference of the three entry points ...
    const files = listFiles(generated);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'index/README.md', 'cdk8s/README.md', 'pulumi/README.md']));
    // ... with nothing that depends on the machine or the moment (absolute paths, dates) ...
    for (const file of files) {
      const text = fs.readFileSync(path.join(generated, file), 'utf8');
      expect({ file, hasRootPath: text.includes(ROOT), hasTempPath: text.includes(outDir) })
        .toEqual({ file, hasRootPath: false, hasTempPath: false });
    }
    // ... and the committed copy is byte for byte the same
    const diffs = differences(COMMITTED, generated);
    if (diffs.length > 0) {
      const shown = diffs.slice(0, 20).join('\n  ');
      const more = diffs.length > 20 ? `\n  ... and ${diffs.length - 20} more` : '';
      throw new Error(`docs/api is stale: run \`npm run docs\`\n  ${shown}${more}`);
    }
  });
});
