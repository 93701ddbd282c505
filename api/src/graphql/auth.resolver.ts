import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { Account } from "../db/entities/index.js";
import { ApiError, badInput } from "../errors.js";
import { passwordLogin } from "../identity/login.js";
import { hashPassword, MIN_PASSWORD_LENGTH } from "../identity/passwords.js";
import { consumeRefreshToken, issueRefreshToken, revokeRefreshFamily } from "../identity/refresh-tokens.js";
import { toAccountType } from "./account.type.js";
import { LoginInput, RegisterInput } from "./auth.input.js";
import { AuthPayload } from "./auth.type.js";
import type { ApiContext } from "./context.js";

const NAME = /^[A-Za-z0-9._-]{3,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: "Creates a client or provider account and signs in." })
  async register(
    @Arg("input", () => RegisterInput) input: RegisterInput,
    @Ctx() ctx: ApiContext,
  ): Promise<AuthPayload> {
    if (!NAME.test(input.name))
      throw badInput("name must be 3-64 letters, digits, dots, underscores or dashes");
    if (input.email !== undefined && !EMAIL.test(input.email))
      throw badInput("email is not an email address");
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw badInput(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const account = ctx.em.create(Account, {
      name: input.name,
      email: input.email?.toLowerCase(),
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    try {
      await ctx.em.persist(account).flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ApiError("CONFLICT", "an account with this name or email already exists");
      }
      throw err;
    }
    return this.#session(ctx, account);
  }

  @Mutation(() => AuthPayload, { description: "Signs in with a name (or email) and password." })
  async login(
    @Arg("input", () => LoginInput) input: LoginInput,
    @Ctx() ctx: ApiContext,
  ): Promise<AuthPayload> {
    const account = await passwordLogin(ctx.em, ctx.services.logins, {
      login: input.login,
      password: input.password,
      address: ctx.clientAddress,
    });
    return this.#session(ctx, account);
  }

  @Mutation(() => AuthPayload, {
    description: "Trades a refresh token for a new session; a token used twice revokes its whole family.",
  })
  async refreshToken(
    @Arg("token", () => String) token: string,
    @Ctx() ctx: ApiContext,
  ): Promise<AuthPayload> {
    const { account, familyId } = await consumeRefreshToken(ctx.em, token, ctx.services.credentials);
    return this.#session(ctx, account, familyId);
  }

  @Mutation(() => Boolean, { description: "Revokes the refresh token's family (every token of that login)." })
  async logout(
    @Arg("refreshToken", () => String) refreshToken: string,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    return revokeRefreshFamily(ctx.em, refreshToken, ctx.services.credentials);
  }

  async #session(ctx: ApiContext, account: Account, familyId?: string): Promise<AuthPayload> {
    const refresh = await issueRefreshToken(ctx.em, account, familyId);
    const access = await ctx.services.jwt.sign(account.id, account.role, refresh.familyId);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt,
      account: await toAccountType(ctx.em, account),
    };
  }
}
