import crypto from "node:crypto";
import { parseArgs } from "node:util";
import { mintToken, resolveJwtSecret } from "../auth";
import { loadConfig } from "../config";

const USAGE = `Usage: npm run token -- --sub <uuid> [--admin] [--name <name>] [--email <email>] [--expires 30d]
Mints an HS256 token with JWT_SECRET (or the secret generated under DATA_DIR). --sub defaults to a new random id.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: "string" },
      admin: { type: "boolean", default: false },
      name: { type: "string" },
      email: { type: "string" },
      expires: { type: "string", default: "30d" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const config = loadConfig();
  if (config.jwksUrl) throw new Error("JWKS_URL is set: tokens come from your identity provider, not from here");
  const sub = values.sub ?? crypto.randomUUID();
  if (!/^[0-9a-f-]{36}$/i.test(sub)) throw new Error(`--sub must be a UUID\n${USAGE}`);
  const { secret } = resolveJwtSecret(config);
  const token = await mintToken(secret, {
    sub,
    admin: values.admin,
    name: values.name,
    email: values.email,
    expiresIn: values.expires,
  });
  // stdout stays the bare token (for $(npm run -s token)); who it is for goes to stderr.
  process.stderr.write(`token for sub ${sub}${values.admin ? " (global admin)" : ""}, expires in ${values.expires}\n`);
  process.stdout.write(token + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
