import { checkInteger, checkNamespaceName, checkOneOf, checkRange, InputError, showValue } from '../../src/sizing/errors';

describe('InputError', () => {
  test('GIVEN a field, value and accepted values WHEN thrown THEN the message carries all three', () => {
    const error = new InputError({ field: 'ram', value: '1Mi', accepted: 'at least 256Mi', reason: 'too small' });
    expect(error.message).toBe('Invalid ram "1Mi": too small. Accepted: at least 256Mi.');
    expect(error.field).toBe('ram');
    expect(error.value).toBe('1Mi');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
  });

  test('GIVEN several problems WHEN combined THEN each is listed', () => {
    const combined = InputError.combine('namespace shop', [
      new InputError({ field: 'a', value: 1, accepted: 'x' }),
      new InputError({ field: 'b', value: 2, accepted: 'y' }),
    ]);
    expect(combined.message).toBe('namespace shop: 2 problems:\n  - Invalid a 1. Accepted: x.\n  - Invalid b 2. Accepted: y.');
    expect(combined.problems).toHaveLength(2);
  });

  test('GIVEN one problem WHEN combined THEN it is that problem', () => {
    const only = new InputError({ field: 'a', value: 1, accepted: 'x' });
    expect(InputError.combine('ctx', [only])).toBe(only);
  });

  test('GIVEN the check helpers WHEN the value is out of range THEN they throw the whole message', () => {
    expect(checkRange('ratio', 0.5, 0, 1)).toBe(0.5);
    expect(() => checkRange('ratio', 1.5, 0, 1)).toThrow('Invalid ratio 1.5. Accepted: a number from 0 to 1.');
    expect(() => checkRange('ratio', Number.NaN, 0, 1)).toThrow('Invalid ratio NaN. Accepted: a number from 0 to 1.');
    expect(checkInteger('cpus', 4, 1, 64)).toBe(4);
    expect(() => checkInteger('cpus', 0, 1, 64)).toThrow('Invalid cpus 0. Accepted: a whole number from 1 to 64.');
    expect(() => checkInteger('cpus', 2.5, 1)).toThrow('Invalid cpus 2.5. Accepted: a whole number 1 or more.');
    expect(checkOneOf('dbType', 'web', ['web', 'oltp'])).toBe('web');
    expect(() => checkOneOf('dbType', 'olap', ['web', 'oltp'])).toThrow('Invalid dbType "olap". Accepted: one of "web", "oltp".');
  });

  test('GIVEN values of several types WHEN shown THEN each is readable', () => {
    expect(showValue(undefined)).toBe('undefined');
    expect(showValue([1, 'a'])).toBe('[1,"a"]');
    expect(showValue({ toString: () => '2Gi' })).toBe('2Gi');
  });
});

describe('checkNamespaceName', () => {
  const accepted = 'a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit';

  test.each(['shop', 'a', 'team-42', 'a'.repeat(63)])('GIVEN the namespace %j WHEN checked THEN it is returned', (name) => {
    expect(checkNamespaceName('namespace', name)).toBe(name);
  });

  test.each([
    ['Bad Name', '"Bad Name"'],
    ['', '""'],
    ['-shop', '"-shop"'],
    ['shop.eu', '"shop.eu"'],
    ['a'.repeat(64), `"${'a'.repeat(64)}"`],
  ])('GIVEN the namespace %j WHEN checked THEN it throws the whole message', (name, shown) => {
    expect(() => checkNamespaceName('spec.namespace', name)).toThrow(`Invalid spec.namespace ${shown}. Accepted: ${accepted}.`);
  });
});
