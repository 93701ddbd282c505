import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { AccountType } from "./account.type.js";

export enum SignupRole {
  client = "client",
  provider = "provider",
}
registerEnumType(SignupRole, { name: "SignupRole", description: "Roles anyone may sign up for." });

@InputType("RegisterInput")
export class RegisterInput {
  @Field(() => String, { description: "Login name, 3-64 characters: letters, digits, . _ -" })
  name!: string;

  @Field(() => String, { nullable: true })
  email?: string;

  @Field(() => String, { description: "At least 8 characters." })
  password!: string;

  @Field(() => SignupRole, { defaultValue: SignupRole.client })
  role!: SignupRole;
}

@InputType("LoginInput")
export class LoginInput {
  @Field(() => String, { description: "Login name or email." })
  login!: string;

  @Field(() => String)
  password!: string;
}

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
