import { namespaceGuardrails } from '../../src/sizing/guardrails';
import { Cpu, Memory } from '../../src/sizing/quantity';

const q = (text: string) => Memory.parse(text);

describe('namespaceGuardrails', () => {
  test('GIVEN no input WHEN resolved THEN the reference defaults apply and there is no quota', () => {
    const g = namespaceGuardrails();
    expect(g.defaultMemoryLimit.toString()).toBe('512Mi');
    expect(g.defaultMemoryRequest.toString()).toBe('512Mi');
    expect(g.maxMemory.toString()).toBe('8Gi');
    expect(g.minMemory.toString()).toBe('16Mi');
    expect(g.maxLimitRequestRatio).toBe(1);
    expect(g.defaultCpuRequest.toString()).toBe('100m');
    expect(g.defaultCpuLimit).toBeUndefined();
    expect(g.quota).toBeUndefined();
  });

  test.each([
    ['8Gi', '512Mi', '4Gi'],
    ['2Gi', '128Mi', '1Gi'],
    ['64Gi', '1Gi', '32Gi'],
    ['3Gi', '192Mi', '1536Mi'],
  ])('GIVEN a %s budget WHEN resolved THEN the default is %s and the max %s', (budget, defaultLimit, max) => {
    const g = namespaceGuardrails({ memoryBudget: q(budget) });
    expect(g.defaultMemoryLimit.toString()).toBe(defaultLimit);
    expect(g.maxMemory.toString()).toBe(max);
    expect(g.quota?.requestsMemory.toString()).toBe(budget);
    expect(g.quota?.limitsMemory.toString()).toBe(budget);
  });

  test('GIVEN CPU and pod quotas WHEN resolved THEN they join the memory quota', () => {
    const g = namespaceGuardrails({ memoryBudget: q('8Gi'), cpuBudget: Cpu.cores(4), quotaPods: 20 });
    expect(g.quota?.requestsCpu?.toString()).toBe('4');
    expect(g.quota?.pods).toBe(20);
  });

  test('GIVEN a default request above the default limit WHEN resolved THEN it throws naming both', () => {
    expect(() => namespaceGuardrails({ defaultMemoryLimit: q('256Mi'), defaultMemoryRequest: q('512Mi') })).toThrow(
      'Invalid defaultMemoryRequest "512Mi": it is above defaultMemoryLimit 256Mi. Accepted: at most defaultMemoryLimit (256Mi); the order must be minMemory <= defaultMemoryRequest <= defaultMemoryLimit <= maxMemory <= memoryBudget.');
  });

  test('GIVEN a default limit above the max WHEN resolved THEN it throws', () => {
    expect(() => namespaceGuardrails({ defaultMemoryLimit: q('2Gi'), maxMemory: q('1Gi') })).toThrow(
      'Invalid defaultMemoryLimit "2Gi": it is above maxMemory 1Gi.');
  });

  test('GIVEN a max above the quota WHEN resolved THEN it throws (quota >= max)', () => {
    expect(namespaceGuardrails({ memoryBudget: q('4Gi'), maxMemory: q('4Gi') }).maxMemory.toString()).toBe('4Gi');
    expect(() => namespaceGuardrails({ memoryBudget: q('4Gi'), maxMemory: Memory.bytes(4 * 2 ** 30 + 1) })).toThrow(
      'Invalid maxMemory "4294967297": it is above memoryBudget 4Gi.');
  });

  test('GIVEN a default limit twice the request with ratio 1 WHEN resolved THEN it throws, since every defaulted pod would be rejected', () => {
    expect(() => namespaceGuardrails({ defaultMemoryLimit: q('1Gi'), defaultMemoryRequest: q('512Mi') })).toThrow(
      'Invalid defaultMemoryLimit "1Gi": it is 2x defaultMemoryRequest 512Mi, above maxLimitRequestRatio 1. Accepted: at most 1x defaultMemoryRequest, or raise maxLimitRequestRatio (the API server would reject every defaulted pod).');
    expect(namespaceGuardrails({ defaultMemoryLimit: q('1Gi'), defaultMemoryRequest: q('512Mi'), maxLimitRequestRatio: 2 }).maxLimitRequestRatio).toBe(2);
  });

  test('GIVEN a ratio below 1 WHEN resolved THEN it throws', () => {
    expect(() => namespaceGuardrails({ maxLimitRequestRatio: 0.9 })).toThrow('Invalid maxLimitRequestRatio 0.9. Accepted: a number from 1 to 100.');
  });

  test('GIVEN a budget below 256Mi WHEN resolved THEN it throws, and 256Mi passes', () => {
    expect(namespaceGuardrails({ memoryBudget: q('256Mi') }).quota?.limitsMemory.toString()).toBe('256Mi');
    expect(() => namespaceGuardrails({ memoryBudget: q('255Mi') })).toThrow('Invalid memoryBudget "255Mi". Accepted: at least 256Mi.');
  });

  test('GIVEN a pod quota without a memory budget WHEN resolved THEN it throws', () => {
    expect(() => namespaceGuardrails({ quotaPods: 10 })).toThrow(
      'Invalid memoryBudget undefined. Accepted: a memory quantity whenever a quota (quotaPods or cpuBudget) is asked for.');
    expect(() => namespaceGuardrails({ memoryBudget: q('1Gi'), quotaPods: 0 })).toThrow('Invalid quotaPods 0. Accepted: a whole number 1 or more.');
  });

  test('GIVEN a CPU request above the CPU limit WHEN resolved THEN it throws', () => {
    expect(() => namespaceGuardrails({ defaultCpuRequest: Cpu.parse('2'), defaultCpuLimit: Cpu.parse('1') })).toThrow(
      'Invalid defaultCpuRequest "2": it is above defaultCpuLimit 1. Accepted: at most defaultCpuLimit.');
  });
});
