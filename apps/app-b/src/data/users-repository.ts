import { isDuplicateKey } from "@platform/shared";
import type { Collection, Db } from "mongodb";
import type { User } from "../domain/user.js";

interface UserDocument extends Omit<User, "id" | "scopes"> {
  readonly _id: string;
  readonly scopes: string[];
}

function toUser({ _id, ...rest }: UserDocument): User {
  return { id: _id, ...rest };
}

export class UsersRepository {
  readonly collection: Collection<UserDocument>;

  constructor(db: Db) {
    this.collection = db.collection<UserDocument>("users");
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ email: 1 }, { unique: true, name: "email_unique" }, undefined);
  }

  /** Inserts the user; "duplicate" when the email is taken (decided by the unique index, so races are safe). */
  async insert({ id, ...user }: User): Promise<"inserted" | "duplicate"> {
    try {
      await this.collection.insertOne({ _id: id, ...user, scopes: [...user.scopes] });
      return "inserted";
    } catch (error) {
      if (isDuplicateKey(error)) return "duplicate";
      throw error;
    }
  }

  async findByEmail(email: string): Promise<User | null> {
    const document = await this.collection.findOne({ email });
    return document ? toUser(document) : null;
  }

  async findById(id: string): Promise<User | null> {
    const document = await this.collection.findOne({ _id: id });
    return document ? toUser(document) : null;
  }

  async delete(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { passwordHash } });
  }
}
