import {
  frameOptionsNoWeaker,
  isNosniff,
  parseFrameOptions,
  parsePermissionsPolicy,
  parseReferrerPolicy,
  permissionsWeakenings,
  REFERRER_POLICIES,
  referrerNoWeaker,
} from '../../src/headers/policies';

describe('Referrer-Policy', () => {
  test('the last recognised token wins', () => {
    expect(parseReferrerPolicy('no-referrer, strict-origin-when-cross-origin')).toBe('strict-origin-when-cross-origin');
    expect(parseReferrerPolicy('No-Referrer, unknown-future-policy')).toBe('no-referrer');
    expect(parseReferrerPolicy('nothing')).toBeUndefined();
  });

  test('no-referrer is no weaker than anything and unsafe-url weaker than everything else', () => {
    for (const p of REFERRER_POLICIES) {
      expect(referrerNoWeaker('no-referrer', p)).toBe(true);
      expect(referrerNoWeaker('unsafe-url', p)).toBe(p === 'unsafe-url');
      expect(referrerNoWeaker(p, p)).toBe(true);
    }
  });

  test.each([
    ['same-origin', 'strict-origin-when-cross-origin', true],
    ['strict-origin', 'strict-origin-when-cross-origin', true],
    ['origin', 'strict-origin-when-cross-origin', false],
    ['strict-origin-when-cross-origin', 'same-origin', false],
    ['no-referrer-when-downgrade', 'strict-origin-when-cross-origin', false],
  ] as const)('%s against %s: %s', (actual, limit, expected) => {
    expect(referrerNoWeaker(actual, limit)).toBe(expected);
  });
});

describe('Permissions-Policy', () => {
  test('parses a structured-field dictionary, ignoring parameters', () => {
    const p = parsePermissionsPolicy('camera=(), geolocation=(self "https://maps.example");report-to=x, fullscreen=*, Usb=self');
    expect(p && [...p.entries()]).toEqual([
      ['camera', []],
      ['geolocation', ['self', 'https://maps.example']],
      ['fullscreen', ['*']],
      ['usb', ['self']],
    ]);
    expect(parsePermissionsPolicy('camera none')).toBeUndefined();
    expect(parsePermissionsPolicy('camera=(self')).toBeUndefined();
  });

  test('a feature left out or allowed for more origins is weaker', () => {
    const limit = parsePermissionsPolicy('camera=(), geolocation=(self), usb=*')!;
    expect(permissionsWeakenings(parsePermissionsPolicy('camera=(), geolocation=(), usb=(self)')!, limit)).toEqual([]);
    expect(permissionsWeakenings(parsePermissionsPolicy('camera=(self), usb=()')!, limit)).toEqual(['camera=(self)', 'geolocation (not restricted)']);
  });
});

describe('X-Frame-Options and X-Content-Type-Options', () => {
  test('one distinct value counts; several distinct or unknown ones protect nothing', () => {
    expect(parseFrameOptions(['deny'])).toBe('DENY');
    expect(parseFrameOptions(['DENY', 'DENY'])).toBe('DENY');
    expect(parseFrameOptions(['DENY, SAMEORIGIN'])).toBeUndefined();
    expect(parseFrameOptions(['ALLOW-FROM https://a.example'])).toBeUndefined();
    expect(frameOptionsNoWeaker('DENY', 'SAMEORIGIN')).toBe(true);
    expect(frameOptionsNoWeaker('SAMEORIGIN', 'DENY')).toBe(false);
  });

  test('nosniff must come first', () => {
    expect(isNosniff(['NoSniff'])).toBe(true);
    expect(isNosniff(['nosniff, other'])).toBe(true);
    expect(isNosniff(['sniff'])).toBe(false);
    expect(isNosniff([])).toBe(false);
  });
});
