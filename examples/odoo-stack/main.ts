/**
 * `npm run synth`: the example stack, synthesized with defaults to dist/ (one YAML file), and a summary.
 * As a cdk8s app (`cdk8s synth`), the cdk8s.yaml beside this file points here.
 */
import { App } from 'cdk8s';
import { buildOdooStack, summarize } from './app';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const app = new App({ outdir });
const { chart } = buildOdooStack(app);
app.synth();
process.stdout.write(`memguard example: wrote ${outdir}/${chart.node.id}.k8s.yaml\n${summarize(chart.toJson())}\n`);
