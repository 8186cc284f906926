import { randomUUID } from "node:crypto";
import { AppError } from "@platform/shared";
import type { UsersRepository } from "../data/users-repository.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { PasswordHasher } from "./passwords.js";
import type { RegistrationThrottle } from "./registration-throttle.js";
import type { Sessions } from "./sessions.js";
import type { TokenPair } from "./tokens.js";
import type { Credentials, User } from "./user.js";

/** Scopes every new account gets. */
export const DEFAULT_SCOPES = ["jobs:read", "jobs:write"];

export interface AccountsDeps {
  readonly users: UsersRepository;
  readonly passwords: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly registrations: RegistrationThrottle;
  readonly sessions: Sessions;
  readonly now: () => Date;
}

/** One message for unknown email and wrong password, so responses do not reveal which accounts exist. */
const invalidCredentials = () => AppError.unauthorized("The email or password is incorrect.");
/** The caller's token is fine, but the password that confirms a destructive request is not. */
const wrongPassword = () => AppError.forbidden("The password is incorrect.");

/** Registration, login, the current user and deleting it. */
export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  /**
   * Creates the account, or 409 when the email is taken. The 409 does tell the caller that the address has an
   * account (see the README for why it stays); the throttle bounds how many addresses one client can probe, and
   * the hash is computed before the insert, so both answers take the same time.
   */
  async register(input: Credentials, clientAddress: string): Promise<User> {
    const { registrations, passwords, users } = this.deps;
    const slot = await registrations.admit(clientAddress, this.deps.now());
    const user: User = {
      id: randomUUID(),
      email: input.email,
      passwordHash: await passwords.hash(input.password),
      scopes: [...DEFAULT_SCOPES],
      createdAt: this.deps.now(),
    };
    const inserted = await users.insert(user);
    await registrations.settle(slot);
    if (inserted === "duplicate") throw AppError.conflict("An account with this email already exists.");
    return user;
  }

  /**
   * Checks the password and issues a token pair. Unknown users cost one Argon2 verification too (against a dummy
   * hash), so timing does not reveal whether an email is registered.
   */
  async login(input: Credentials, clientAddress: string): Promise<TokenPair> {
    const user = await this.checkPassword(input, clientAddress);
    if (!user) throw invalidCredentials();
    return this.deps.sessions.issueTokenPair(user);
  }

  /**
   * Deletes the caller's account: the access token says who, the password confirms it is really them (a stolen
   * access token alone must not be enough to destroy an account). Every session ends first, then the account
   * goes; access tokens already issued stay valid until they expire, like any access token.
   */
  async deleteAccount(userId: string, password: string, clientAddress: string): Promise<void> {
    const user = await this.currentUser(userId);
    if (!(await this.checkPassword({ email: user.email, password }, clientAddress))) throw wrongPassword();
    await this.deps.sessions.endAllSessions(user.id);
    await this.deps.users.delete(user.id);
  }

  /**
   * The account if the password is right, else null; under the login throttle (429 past a limit), which counts
   * the attempt before Argon2 runs. A right password upgrades a hash made with weaker parameters.
   */
  private async checkPassword(input: Credentials, clientAddress: string): Promise<User | null> {
    const { throttle, users, passwords } = this.deps;
    const attempt = await throttle.begin(input.email, clientAddress, this.deps.now());
    const user = await users.findByEmail(input.email);
    const ok = await passwords.verify(user?.passwordHash, input.password);
    if (!user || !ok) {
      await throttle.failed(attempt);
      return null;
    }
    await throttle.succeeded(attempt);
    if (passwords.needsRehash(user.passwordHash)) {
      await users.updatePasswordHash(user.id, await passwords.hash(input.password));
    }
    return user;
  }

  async currentUser(userId: string): Promise<User> {
    const user = await this.deps.users.findById(userId);
    // The token was valid but its account is gone: the credential no longer identifies anyone.
    if (!user) throw AppError.unauthorized("The account no longer exists.", "invalid_token");
    return user;
  }
}
