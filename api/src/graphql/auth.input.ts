import { Field, InputType, registerEnumType } from "type-graphql";

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
