/**
 * `npm run synth`: the example, synthesized with defaults to dist/ (one YAML file per namespace), and a summary.
 * As a cdk8s app (`cdk8s synth`), the cdk8s.yaml beside this file points here.
 */
import { App } from 'cdk8s';
import { buildExample, summarize } from './app';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const app = new App({ outdir });
const charts = buildExample(app);
app.synth();
for (const { chart, namespace, budget } of charts) {
  process.stdout.write(`memguard example: wrote ${outdir}/${chart.node.id}.k8s.yaml\n${summarize(chart.toJson(), namespace, budget)}\n\n`);
}
