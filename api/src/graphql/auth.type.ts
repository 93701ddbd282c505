import { Field, ObjectType } from "type-graphql";
import { AccountType } from "./account.type.js";

@ObjectType("AuthPayload", { description: "A session: a 1-hour access token and a 7-day refresh token." })
export class AuthPayload {
  @Field(() => String, { description: "JWT (HS256): send as Authorization: Bearer <token>." })
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: "Single use: refreshToken(token) returns the next one." })
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => AccountType)
  account!: AccountType;
}
