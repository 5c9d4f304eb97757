import { JsonFile, javascript, typescript } from 'projen';

const project = new typescript.TypeScriptProject({
  name: 'memguard',
  description: 'Kubernetes memory runbooks as code: guardrails, tuned workloads, alerts, dashboards, database tuning and remediation, for cdk8s and Pulumi.',
  license: 'Apache-2.0',
  copyrightOwner: 'memguard authors',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  github: false,
  release: false,
  depsUpgrade: false,
  sampleCode: false,
  typescriptVersion: '~5.9',

  // Runtime dependencies: each one is justified in README.md ("Dependencies").
  deps: [
    'yaml@^2.6.0',
    'commander@^14.0.0',
    '@grafana/grafana-foundation-sdk@0.0.21',
  ],
  // The front ends are peers: a cdk8s user never installs Pulumi and vice versa.
  peerDeps: [
    'cdk8s@^2.68.11',
    'cdk8s-plus-28@^2.5.0',
    'constructs@^10.3.0',
    '@pulumi/pulumi@^3.100.0',
    '@pulumi/kubernetes@^4.10.0',
  ],
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    'cdk8s@2.70.106',
    'cdk8s-plus-28@2.5.6',
    'constructs@10.4.2',
    // 3.248.x is the last @pulumi/pulumi that supports Node 20.
    '@pulumi/pulumi@3.248.0',
    '@pulumi/kubernetes@4.34.2',
    // 4.x ship CommonJS and so run under ts-jest; 5.x are ESM only.
    'kubernetes-models@4.5.1',
    '@kubernetes-models/prometheus-operator@4.4.4',
    // VerticalPodAutoscaler models (autoscaling.k8s.io/v1); 3.3.4 is the last CommonJS release.
    '@kubernetes-models/autoscaler@3.3.4',
    'ajv@^8.17.1',
    'fast-check@^4.3.0',
    'ts-node',
    // Pinned: test/docs-current.test.ts compares the committed docs/api byte for byte with a fresh run.
    'typedoc@0.28.9',
    'typedoc-plugin-markdown@4.14.1',
  ],

  bin: { memguard: 'lib/cli/main.js' },

  // Lint everything we ship or run: the library, its tests, the benchmarks, the scripts and the examples.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools', 'bench', 'scripts', 'examples', 'projenrc'],
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Integration tests start real servers; two workers fit the 2-core machines CI runs on.
      maxWorkers: 2,
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/'],
    },
  },
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
    },
  },
  tsconfigDev: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      // ts-jest then only transpiles; the `typecheck` step checks every file once, which is much faster.
      isolatedModules: true,
    },
    include: ['../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'],
  },
  artifactsDirectory: 'dist-package',
  gitignore: ['/dist/', '/dist-package/', '/bench/results/'],
});

// Subpath entry points: `memguard` never loads cdk8s or Pulumi; `memguard/cdk8s` never loads Pulumi.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './cdk8s': { types: './lib/cdk8s/index.d.ts', default: './lib/cdk8s/index.js' },
  './pulumi': { types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' },
  './package.json': './package.json',
});
// For TypeScript consumers on moduleResolution "node", which does not read `exports`.
project.package.addField('typesVersions', {
  '*': { cdk8s: ['lib/cdk8s/index.d.ts'], pulumi: ['lib/pulumi/index.d.ts'] },
});
project.package.addField('peerDependenciesMeta', {
  '@pulumi/pulumi': { optional: true },
  '@pulumi/kubernetes': { optional: true },
  'cdk8s': { optional: true },
  'cdk8s-plus-28': { optional: true },
});
// unrs-resolver 1.13.0 names platform packages the registry does not serve; 1.12.2 installs cleanly.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });
// Its install script would try to download the Pulumi CLI, which is not reachable.
project.package.addField('allowScripts', { '@pulumi/kubernetes': false });

// Tests need real binaries (promtool, redis-server, postgres, pgbouncer, shellcheck): install them first, or say what to install.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, tests, examples and benchmarks',
  exec: 'tsc -p test/tsconfig.json',
});
project.testTask.prependSpawn(typecheck);
// The package-exports test loads lib/ the way a user's require('memguard/cdk8s') does.
project.testTask.prependSpawn(project.compileTask);
project.testTask.prependExec('bash scripts/ensure-test-tools.sh');

// eslint's project service types each file with its nearest tsconfig.json; the root one covers src/ only, so bench/,
// scripts/ and examples/ each get one with test/tsconfig.json's settings (the same ones `typecheck` checks them with).
for (const dir of ['bench', 'scripts', 'examples']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
    include: ['**/*.ts'],
  });
}

// API reference: Markdown in docs/api, generated from the JSDoc of the three entry points. No source links (their line
// numbers would change with every edit) and no version or date, so the output only changes when the API or its docs do;
// test/docs-current.test.ts fails when the committed copy is stale.
new JsonFile(project, 'typedoc.json', {
  allowComments: true,
  obj: {
    entryPoints: ['src/index.ts', 'src/cdk8s/index.ts', 'src/pulumi/index.ts'],
    tsconfig: 'tsconfig.json',
    plugin: ['typedoc-plugin-markdown'],
    out: 'docs/api',
    readme: 'none',
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    hidePageHeader: true,
    externalSymbolLinkMappings: {
      '@pulumi/pulumi': { '*': 'https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/pulumi/' },
    },
  },
});
project.npmignore?.exclude('/typedoc.json', '/docs/');
project.addTask('docs', {
  description: 'Generate the API reference in docs/api from the JSDoc',
  exec: 'typedoc --options typedoc.json',
});

project.addTask('synth', {
  description: 'Synthesize the example stack with defaults to dist/',
  exec: 'ts-node --transpile-only -P test/tsconfig.json examples/odoo-stack/main.ts',
});
const bench = project.addTask('bench', {
  description: 'Run the benchmarks and print the figures (compiles first: the CLI start-up is measured on lib/)',
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only -P test/tsconfig.json bench/run.ts', { receiveArgs: true });

project.synth();
