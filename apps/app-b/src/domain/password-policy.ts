import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * The most common passwords (about 49,000, lower-case) from zxcvbn-ts's common language package: an offline list
 * shipped with the package, kept by a maintained project, so a check never needs the network. NIST SP 800-63B
 * 3.1.1.2 asks verifiers to refuse passwords found in such lists.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary["passwords-common"]);

/**
 * True when the password, ignoring case and surrounding spaces, is on the common-passwords list. Case is ignored
 * because attackers' lists try the capitalised and upper-case forms first.
 */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.trim().toLowerCase());
}
