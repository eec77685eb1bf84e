import { z } from 'zod';

/** Field types shared by the environment schema's sections: names, addresses, ports, quantities. */

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, "-")');
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/, 'must be a fully qualified lower-case host name');
/** An IPv4 address as a 32-bit number. */
function ipv4(address: string): number {
  return address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
export const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR such as 10.20.0.0/24')
  .refine((v) => v.split('/')[0].split('.').every((o) => Number(o) <= 255), 'has an octet above 255')
  .refine((v) => {
    const [address, bits] = v.split('/');
    return ipv4(address) % 2 ** (32 - Number(bits)) === 0;
  }, 'has host bits set: write the network address (e.g. 10.20.8.0/24, not 10.20.8.5/24)');

/** RFC 1918 ranges: managed data stores are reached over private networking only. */
const PRIVATE_RANGES: ReadonlyArray<[string, number]> = [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]];
export function isPrivateCidr(value: string): boolean {
  const [address, bits] = value.split('/');
  const start = ipv4(address);
  const end = start + 2 ** (32 - Number(bits)) - 1;
  return PRIVATE_RANGES.some(([net, len]) => {
    const s = ipv4(net);
    return start >= s && end <= s + 2 ** (32 - len) - 1;
  });
}
export const privateCidr = cidr.refine(isPrivateCidr, 'must lie inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): data stores have no public exposure');
export const port = z.number().int().min(1).max(65535);
export const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity such as 250m or 1');
export const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as 256Mi');
export const storageSize = z.string().regex(/^\d+(Mi|Gi|Ti)$/, 'must be a storage quantity such as 10Gi');
export const duration = z.string().regex(/^(\d+(s|m|h))+$/, 'must be a duration such as 1h or 30m');

