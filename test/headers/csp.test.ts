import { allowsUnsafeEval, cspWeakenings, effectiveSources, parseCsp, wildcardSources } from '../../src/headers/csp';

const weaker = (actual: string, limit: string) => cspWeakenings(parseCsp(actual), parseCsp(limit)).map((w) => `${w.directive}: ${w.allows}`);

describe('Content-Security-Policy parsing', () => {
  test('directive names are case-insensitive, a repeated directive keeps its first value, empty parts are skipped', () => {
    const p = parseCsp("Default-Src 'self';; script-src 'none'; default-src *  ;img-src data:");
    expect([...p.entries()]).toEqual([
      ['default-src', ["'self'"]],
      ['script-src', ["'none'"]],
      ['img-src', ['data:']],
    ]);
  });

  test('fetch directives fall back as CSP3 says; frame-ancestors, base-uri and form-action do not', () => {
    const p = parseCsp("default-src 'self'; script-src https://a.example; child-src 'none'");
    expect(effectiveSources(p, 'script-src-elem')).toEqual(['https://a.example']);
    expect(effectiveSources(p, 'worker-src')).toEqual([]);
    expect(effectiveSources(p, 'frame-src')).toEqual([]);
    expect(effectiveSources(p, 'img-src')).toEqual(["'self'"]);
    expect(effectiveSources(p, 'frame-ancestors')).toBeUndefined();
    expect(effectiveSources(p, 'form-action')).toBeUndefined();
  });
});

describe('a policy no weaker than another', () => {
  const frontend =
    "default-src 'self'; connect-src 'self' https://api.example https://auth.example; form-action 'self' https://auth.example; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

  test.each([
    ['the same policy', frontend],
    ['fewer sources', "default-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"],
    ["'none' everywhere", "default-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"],
    ['a host without scheme on a secure page', "default-src 'self'; connect-src 'self' api.example; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"],
    ['directives spelled out instead of the fallback', `${frontend}; script-src 'self'; img-src 'self'`],
  ])('%s passes', (_name, actual) => {
    expect(weaker(actual, frontend)).toEqual([]);
  });

  test.each([
    ['an extra host', frontend.replace('https://auth.example;', 'https://auth.example https://evil.example;'), ['connect-src: https://evil.example']],
    ["'unsafe-eval' through script-src", `${frontend}; script-src 'self' 'unsafe-eval'`, ["script-src: 'unsafe-eval'"]],
    ['no frame-ancestors', frontend.replace("frame-ancestors 'none'; ", ''), ['frame-ancestors: any source']],
    ['a wildcard', frontend.replace("default-src 'self'", 'default-src *'), ['default-src: *']],
    ['a scheme source', frontend.replace("default-src 'self'", "default-src 'self' https:"), ['default-src: https:']],
    ['data: under img-src', `${frontend}; img-src 'self' data:`, ['img-src: data:']],
    ['no policy at all', 'upgrade-insecure-requests', ['default-src: any source', 'connect-src: any source', 'object-src: any source', 'base-uri: any source', 'form-action: any source', 'frame-ancestors: any source']],
  ])('%s is weaker', (_name, actual, expected) => {
    expect(weaker(actual, frontend)).toEqual(expected);
  });

  test('host and port wildcards and paths of the limit cover what they match, and nothing else', () => {
    expect(weaker('img-src https://a.cdn.example https://cdn.example:8443/img/x.png', 'img-src https://*.cdn.example https://cdn.example:*/img/')).toEqual([]);
    expect(weaker('img-src https://cdn.example', 'img-src https://*.cdn.example')).toEqual(['img-src: https://cdn.example']);
    expect(weaker('img-src https://cdn.example/other/', 'img-src https://cdn.example/img/')).toEqual(['img-src: https://cdn.example/other/']);
    expect(weaker('img-src data:', 'img-src *')).toEqual(['img-src: data:']);
    expect(weaker('img-src https://x.example', 'img-src https:')).toEqual([]);
  });

  test('nonces and hashes match exactly; keywords do not match hosts', () => {
    expect(weaker("script-src 'nonce-AbC'", "script-src 'nonce-AbC'")).toEqual([]);
    expect(weaker("script-src 'nonce-abc'", "script-src 'nonce-AbC'")).toEqual(["script-src: 'nonce-abc'"]);
    expect(weaker("script-src 'self'", 'script-src https://app.example')).toEqual(["script-src: 'self'"]);
  });

  test('a flag of the limit must be kept', () => {
    expect(weaker("default-src 'self'", "default-src 'self'; upgrade-insecure-requests")).toEqual(['upgrade-insecure-requests: mixed content (the flag is missing)']);
  });
});

describe('what production refuses', () => {
  test('wildcard sources: *, host and port wildcards, bare network schemes; not data: or keywords', () => {
    expect(wildcardSources(parseCsp("default-src 'self' *; img-src https://*.a.example data: wss:; connect-src https://b.example:*"))).toEqual([
      '*',
      'https://*.a.example',
      'wss:',
      'https://b.example:*',
    ]);
    expect(wildcardSources(parseCsp("default-src 'self'; img-src 'self' data: blob:"))).toEqual([]);
  });

  test("'unsafe-eval' in any directive", () => {
    expect(allowsUnsafeEval(parseCsp("default-src 'self'; worker-src 'UNSAFE-EVAL'"))).toBe(true);
    expect(allowsUnsafeEval(parseCsp("default-src 'self' 'wasm-unsafe-eval'"))).toBe(false);
  });
});
