import { describe, expect, it } from "vitest";
import { clientNetwork } from "./client-network.js";

describe("clientNetwork", () => {
  it.each([
    ["an IPv4 address", "203.0.113.7", "203.0.113.7"],
    ["an IPv4-mapped IPv6 address", "::ffff:203.0.113.7", "203.0.113.7"],
    ["a compressed IPv6 address", "2001:db8:1:2::99", "2001:db8:1:2::/64"],
    ["the same /64 written out in full", "2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"],
    ["an address compressed inside its /64", "2001:db8::1", "2001:db8:0:0::/64"],
    ["loopback", "::1", "0:0:0:0::/64"],
    ["something that is not an address", "unknown", "unknown"],
  ])("when the client is %s, then it is counted as %s", (_case, address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });
});
