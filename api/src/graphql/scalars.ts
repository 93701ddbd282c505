import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

/**
 * TokenAmount: an amount of NEURO in its smallest unit (9 decimals), as a decimal integer
 * string on the wire ("1000000" = 0.001 NEURO), a bigint inside. Never a float.
 */
export const TokenAmountScalar = new GraphQLScalarType<bigint, string>({
  name: "TokenAmount",
  description: "An amount of NEURO in its smallest unit (1 NEURO = 10^9), as a decimal integer string.",
  serialize(value) {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "string" && /^-?\d+$/.test(value)) return value;
    throw new GraphQLError("TokenAmount must be a bigint");
  },
  parseValue(value) {
    if (typeof value === "string" && /^-?\d{1,38}$/.test(value)) return BigInt(value);
    throw new GraphQLError("TokenAmount must be a decimal integer string", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && /^-?\d{1,38}$/.test(ast.value)) return BigInt(ast.value);
    throw new GraphQLError("TokenAmount must be a decimal integer string", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  },
});
