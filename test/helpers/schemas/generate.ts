/**
 * Regenerates the CRD schema fixtures in this directory from the kubernetes-models declaration files.
 *
 *   tmp=$(mktemp -d) && (cd "$tmp" && npm pack @kubernetes-models/grafana-operator@3.0.0 && tar xzf *.tgz)
 *   npx ts-node --transpile-only -P test/tsconfig.json test/helpers/schemas/generate.ts "$tmp/package"
 *
 * The argument is the unpacked grafana-operator package (not installed: 3.0.0 is ESM only); the other packages are
 * read from node_modules.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CRD_SOURCES, CrdFixture, CrdSource, fixtureFileName, SCHEMA_DIR } from './crd-fixtures';
import { schemaFromModelDeclaration } from './dts-to-schema';

const REGENERATE = 'see test/helpers/schemas/generate.ts';

/** Directory of an installed model package. */
export function installedPackageDir(pkg: string): string {
  // The packages' `exports` hide package.json, so resolve the CommonJS entry point instead.
  return path.dirname(require.resolve(pkg));
}

/** Builds the fixture for one source, reading the declaration file from `packageDir`. */
export function buildFixture(source: CrdSource, packageDir: string): CrdFixture {
  const declaration = fs.readFileSync(path.join(packageDir, source.declaration), 'utf8');
  return {
    apiVersion: source.apiVersion,
    kind: source.kind,
    source: `${source.package}@${source.version} ${source.declaration} (generated from ${source.upstream})`,
    regenerate: REGENERATE,
    schema: schemaFromModelDeclaration(declaration, `I${source.kind}`),
  };
}

function main(unpackedDirs: string[]): void {
  for (const source of CRD_SOURCES) {
    const dir = source.installed
      ? installedPackageDir(source.package)
      : unpackedDirs.find((d) => fs.existsSync(path.join(d, source.declaration)));
    if (!dir) {
      process.stderr.write(`skipping ${source.kind}: pass the unpacked ${source.package}@${source.version} directory\n`);
      continue;
    }
    const file = path.join(SCHEMA_DIR, fixtureFileName(source.apiVersion, source.kind));
    fs.writeFileSync(file, JSON.stringify(buildFixture(source, dir), undefined, 2) + '\n');
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2));
}
