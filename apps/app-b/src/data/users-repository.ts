import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "./mongo-errors.js";

export interface UserRecord {
  /** A UUID string: ids are opaque to clients and become the `sub` of access tokens. */
  readonly _id: string;
  /** Normalised (trimmed, lower-case); unique. */
  readonly email: string;
  readonly passwordHash: string;
  readonly scopes: string[];
  readonly createdAt: Date;
}

export class UsersRepository {
  readonly collection: Collection<UserRecord>;

  constructor(db: Db) {
    this.collection = db.collection<UserRecord>("users");
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ email: 1 }, { unique: true, name: "email_unique" }, undefined);
  }

  /** Inserts the user; "duplicate" when the email is taken (decided by the unique index, so races are safe). */
  async insert(user: UserRecord): Promise<"inserted" | "duplicate"> {
    try {
      await this.collection.insertOne(user);
      return "inserted";
    } catch (error) {
      if (isDuplicateKey(error)) return "duplicate";
      throw error;
    }
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.collection.findOne({ email });
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.collection.findOne({ _id: id });
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { passwordHash } });
  }
}
