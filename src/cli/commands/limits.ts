import { Option } from 'commander';
import { containerMemory } from '../../sizing/container-memory';
import { checkOneOf, InputError } from '../../sizing/errors';
import { Memory } from '../../sizing/quantity';
import { RUNTIMES, runtimeSettings } from '../../sizing/runtime-settings';
import { CommandRegistration } from '../program';

interface LimitsOptions {
  readonly limit?: string;
  readonly request?: string;
  readonly headroom?: string;
  readonly runtime: string;
  readonly heapPercent?: string;
  readonly json?: boolean;
}

/** `memguard limits`: a container's memory request, limit and runtime environment. */
export const registerLimitsCommand: CommandRegistration = (program, out) => {
  program.command('limits')
    .description('Compute a container\'s memory request and limit, and the runtime environment derived from the limit.')
    .option('--limit <quantity>', 'memory limit, a Kubernetes quantity (512Mi, 1.5Gi, 2G)')
    .option('--request <quantity>', 'memory request (default: equal to the limit, Guaranteed memory QoS)')
    .option('--headroom <percent>', 'limit above request, in percent of the request (default 0)')
    .addOption(new Option('--runtime <runtime>', 'the runtime in the container').choices([...RUNTIMES]).default('generic'))
    .option('--heap-percent <percent>', 'share of the limit for the managed heap (node, jvm, dotnet; default 75)')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExample:\n  memguard limits --limit 2Gi --runtime jvm\n')
    .action((options: LimitsOptions) => {
      const memory = containerMemory({
        limit: options.limit === undefined ? undefined : Memory.parse(options.limit, '--limit'),
        request: options.request === undefined ? undefined : Memory.parse(options.request, '--request'),
        headroomPercent: options.headroom === undefined ? undefined : parseNumber('--headroom', options.headroom),
        fieldNames: { limit: '--limit', request: '--request', headroomPercent: '--headroom' },
      });
      const runtime = checkOneOf('--runtime', options.runtime, RUNTIMES);
      const heapPercent = options.heapPercent === undefined ? undefined : parseNumber('--heap-percent', options.heapPercent);
      const settings = runtimeSettings(runtime, memory.limit, { heapPercent });
      if (options.json) {
        out.stdout(`${JSON.stringify({
          runtime,
          request: memory.request.toString(),
          limit: memory.limit.toString(),
          guaranteed: memory.guaranteed,
          env: settings.env,
        }, null, 2)}\n`);
        return;
      }
      const lines = [
        `runtime:  ${runtime}`,
        `request:  ${memory.request} (${memory.request.bytes} bytes)`,
        `limit:    ${memory.limit} (${memory.limit.bytes} bytes)`,
        `qos:      ${memory.guaranteed ? 'request == limit (Guaranteed memory)' : 'request < limit (Burstable: may be OOM-killed or evicted under node pressure)'}`,
        'env:',
        ...Object.entries(settings.env).map(([k, v]) => `  ${k}=${v}`),
      ];
      out.stdout(`${lines.join('\n')}\n`);
    });
};

/** Parses a number option, naming the option on failure. */
export function parseNumber(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new InputError({ field, value: text, accepted: 'a number' });
  return value;
}
