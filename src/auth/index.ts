export { resolveJwtSecret, createVerifier, mintToken, bearerToken, type TokenVerifier, type MintOptions } from "./jwt";
