import { runCli } from '../../src/cli/program';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('memguard limits', () => {
  test('GIVEN a 2Gi JVM container WHEN computed THEN it prints request == limit and the JVM options', async () => {
    const { code, stdout } = await run('limits', '--limit', '2Gi', '--runtime', 'jvm');
    expect(code).toBe(0);
    expect(stdout).toBe([
      'runtime:  jvm',
      'request:  2Gi (2147483648 bytes)',
      'limit:    2Gi (2147483648 bytes)',
      'qos:      request == limit (Guaranteed memory)',
      'env:',
      '  JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError',
      '',
    ].join('\n'));
  });

  test('GIVEN --json and headroom WHEN computed THEN it prints the values as JSON', async () => {
    const { code, stdout } = await run('limits', '--request', '1Gi', '--headroom', '50', '--runtime', 'node', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      runtime: 'node', request: '1Gi', limit: '1536Mi', guaranteed: false, env: { NODE_OPTIONS: '--max-old-space-size=1152' },
    });
  });

  test('GIVEN a bad quantity WHEN run THEN it exits 2 naming the option, the value and what is accepted', async () => {
    const { code, stdout, stderr } = await run('limits', '--limit', '2GB');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('memguard: Invalid --limit "2GB": unknown unit "GB". Accepted: a Kubernetes memory quantity such as 512Mi, 1.5Gi, 2G, 1e9 or 1073741824 (bytes).\n');
  });

  test('GIVEN an unknown runtime WHEN run THEN commander rejects it with the choices and exit code 2', async () => {
    const { code, stderr } = await run('limits', '--limit', '1Gi', '--runtime', 'ruby');
    expect(code).toBe(2);
    expect(stderr).toContain("option '--runtime <runtime>' argument 'ruby' is invalid. Allowed choices are python, node, jvm, go, dotnet, generic.");
  });

  test('GIVEN a non-numeric headroom WHEN run THEN it exits 2', async () => {
    const { code, stderr } = await run('limits', '--request', '1Gi', '--headroom', 'lots');
    expect(code).toBe(2);
    expect(stderr).toBe('memguard: Invalid --headroom "lots". Accepted: a number.\n');
  });

  test('GIVEN --help WHEN run THEN it exits 0 and shows the example', async () => {
    const { code, stdout } = await run('limits', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('memguard limits --limit 2Gi --runtime jvm');
  });
});
