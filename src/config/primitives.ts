import * as z from 'zod';
import { IpRange, parseAddress, parseCidr, rangeContains } from '../netpol/ip';

/** Field types shared by the environment schema's sections: names, addresses, ports, quantities. */

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, "-")');
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/, 'must be a fully qualified lower-case host name');
/**
 * An IPv4 CIDR as a range, and whether its address is the network address (no host bits set);
 * undefined when the text is no IPv4 CIDR (the regex and octet checks report that).
 */
function ipv4Cidr(v: string): { range: IpRange; network: boolean } | undefined {
  const range = parseCidr(v);
  const address = parseAddress(v.split('/')[0]);
  if (range?.family !== 4 || address === undefined) return undefined;
  return { range, network: address.value === range.start };
}
export const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR such as 10.20.0.0/24')
  .refine((v) => v.split('/')[0].split('.').every((o) => Number(o) <= 255), 'has an octet above 255')
  .refine((v) => ipv4Cidr(v)?.network !== false, 'has host bits set: write the network address (e.g. 10.20.8.0/24, not 10.20.8.5/24)');

/** RFC 1918 ranges: managed data stores are reached over private networking only. */
const PRIVATE_RANGES: readonly IpRange[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c)!);
export function isPrivateCidr(value: string): boolean {
  const c = ipv4Cidr(value);
  return c !== undefined && PRIVATE_RANGES.some((p) => rangeContains(p, c.range));
}
export const privateCidr = cidr.refine(isPrivateCidr, 'must lie inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): data stores have no public exposure');
export const port = z.number().int().min(1).max(65535);
export const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity such as 250m or 1');
export const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as 256Mi');
export const storageSize = z.string().regex(/^\d+(Mi|Gi|Ti)$/, 'must be a storage quantity such as 10Gi');
export const duration = z.string().regex(/^(\d+(s|m|h))+$/, 'must be a duration such as 1h or 30m');

