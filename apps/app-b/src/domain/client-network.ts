import { isIPv4, isIPv6 } from "node:net";

/**
 * The unit a throttle counts a client by: its IPv4 address, or the /64 of its IPv6 address. One IPv6 subscriber
 * usually holds a whole /64 and can pick a new address from it for every request, so counting single IPv6
 * addresses would give each client billions of budgets. IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [withoutZone = address] = address.toLowerCase().split("%");
  const [head = "", tail] = withoutZone.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
