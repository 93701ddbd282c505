import { Field, ID, ObjectType } from "type-graphql";
import type { ApiKey } from "../db/entities/index.js";
import { Connection } from "./connection.js";

@ObjectType("ApiKey", { description: "An API key; the key itself is shown only once, at creation." })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The key's first characters, to tell keys apart." })
  prefix!: string;

  @Field(() => String)
  label!: string;

  @Field(() => [String])
  scopes!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt?: Date | undefined;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date | undefined;
}

export const ApiKeyConnection = Connection("ApiKey", ApiKeyType);

@ObjectType("CreatedApiKey")
export class CreatedApiKey {
  @Field(() => String, { description: "The key. Store it now: it is never shown again." })
  key!: string;

  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}

export function toApiKeyType(k: ApiKey): ApiKeyType {
  return {
    id: k.id,
    prefix: k.prefix,
    label: k.label,
    scopes: k.scopes,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt ?? undefined,
    revokedAt: k.revokedAt ?? undefined,
  };
}
