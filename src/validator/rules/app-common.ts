import type { Role } from '../../topology/model';
import type { PodTemplate, Setting, ValidationContext } from '../context';

/** Whether a pod template runs a component with one of `roles`. */
export function hasRole(ctx: ValidationContext, t: PodTemplate, roles: readonly Role[]): boolean {
  const role = ctx.components.get(t.component)?.role;
  return role !== undefined && roles.includes(role);
}

/** `true`/`True` as ASP.NET configuration binds booleans. */
export function isTrue(s: Setting | undefined): boolean {
  return s?.value !== undefined && s.value.trim().toLowerCase() === 'true';
}

/** Where a setting comes from, for messages. */
export function origin(s: Setting): string {
  switch (s.source.kind) {
    case 'configMap':
      return ` (ConfigMap ${s.source.name})`;
    case 'secret':
      return ` (Secret ${s.source.name})`;
    default:
      return '';
  }
}

/** Path of the container in a template, for findings about a missing setting. */
export function containerPath(ctx: ValidationContext, t: PodTemplate): (string | number)[] {
  const main = ctx.pods.mainContainer(t);
  return main ? [...t.path, 'spec', 'containers', main.index] : [...t.path, 'spec'];
}

/** Requires boolean settings to be `true`. */
export function requireTrue(ctx: ValidationContext, t: PodTemplate, names: readonly string[]) {
  const settings = ctx.settings.main(t);
  const out: { message: string; path: (string | number)[] }[] = [];
  for (const name of names) {
    const all = settings.all(name);
    if (all.length === 0) out.push({ message: `${t.component} does not set ${name}=true`, path: containerPath(ctx, t) });
    // Every spelling must be true: which one .NET binds when several differ is undefined.
    for (const s of all) if (!isTrue(s)) out.push({ message: `${t.component} sets ${s.name}=${s.value ?? '<not readable>'}${origin(s)}; it must be true`, path: [...s.path] });
  }
  return out;
}
