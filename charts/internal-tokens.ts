import { k8s } from '../src/constructs/k8s';
import { secretEnv, SecretNames, StackContext } from './context';

/**
 * The InternalTokens contract, identical on api and app-server (SPEC §2 rule 8): same
 * issuer, audience, a JWKS URL on auth-server (which app-server has an edge to) and the API
 * key from the same Secret key.
 */
export function internalTokenSettings(ctx: StackContext): Record<string, string> {
  return {
    InternalTokens__Issuer: ctx.env.internalTokens.issuer,
    InternalTokens__Audience: ctx.env.internalTokens.audience,
    InternalTokens__JwksUrl: `${ctx.internalUrl('auth-server')}/.well-known/jwks`,
  };
}

export function internalTokenSecretEnv(): k8s.EnvVar {
  return secretEnv('InternalTokens__ApiKey', SecretNames.INTERNAL_TOKENS, 'api-key');
}
