import { renderAllObjects } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { checkTopology, ComponentSpec, publicPathProblem, Topology } from '../../src/topology/model';
import { shippedEnv } from '../support/render';

/** The CTIS topology with the public paths of `id` replaced. */
function withPaths(id: string, publicPaths: readonly string[]): Topology {
  return { ...CTIS_TOPOLOGY, components: CTIS_TOPOLOGY.components.map((c): ComponentSpec => (c.id === id ? { ...c, publicPaths } : c)) };
}

describe('public paths of the topology', () => {
  test('the shipped topology passes', () => {
    expect(() => checkTopology(CTIS_TOPOLOGY)).not.toThrow();
    for (const c of CTIS_TOPOLOGY.components) for (const p of c.publicPaths ?? []) expect(publicPathProblem(p)).toBeUndefined();
  });

  test.each(['/', '/api', '/hubs/notifications', '/.well-known', '/static/v1.2', '/a%20b', "/x-_.~!$&'()*+,;=:@"])('%s is an absolute path the API server accepts', (p) => {
    expect(publicPathProblem(p)).toBeUndefined();
    expect(() => checkTopology(withPaths('api', ['/api', p === '/api' ? '/other' : p]))).not.toThrow();
  });

  test.each([
    ['hubs', /public path "hubs" must start with "\/"/],
    ['', /public path "" must start with "\/"/],
    ['/api/[v1]', /public path "\/api\/\[v1\]" may hold only URL path characters/],
    ['/a b', /may hold only URL path characters/],
    ['/api?x=1', /may hold only URL path characters/],
    ['/api#top', /may hold only URL path characters/],
    ['/a%zz', /may hold only URL path characters/],
    ['/api//v2', /must not contain "\/\/"/],
    ['/api/../admin', /must not contain "\/..\/"/],
    ['/api/./x', /must not contain "\/.\/"/],
    ['/api%2fadmin', /must not contain "%2f"/],
    ['/api/..', /must not end with "\/." or "\/.."/],
    ['/api/.', /must not end with "\/." or "\/.."/],
  ])('%j is refused, naming the component and the path', (p, message) => {
    expect(() => checkTopology(withPaths('api', ['/api', p]))).toThrow(message);
    expect(() => checkTopology(withPaths('api', ['/api', p]))).toThrow(/^topology: component "api": public path /);
  });

  test('a path declared twice is refused', () => {
    expect(() => checkTopology(withPaths('frontend', ['/', '/'])))
      .toThrow('topology: component "frontend": public path "/" is declared twice');
  });

  test('rendering refuses a relative path before anything is rendered', () => {
    expect(() => renderAllObjects(withPaths('api', ['/api', 'hubs']), [shippedEnv('staging')])).toThrow(/public path "hubs" must start with "\/"/);
  });
});
