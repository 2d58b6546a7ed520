import nextEnv from "@next/env";
import { Command, CommanderError } from "commander";
import { EnvError, env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseExpiresIn } from "@/lib/auth/api-key-policy";
import { restrictFileCreation } from "@/lib/storage/data-dir";
import { registerAuditCommands } from "./audit";
import { registerBackupCommands } from "./backup";
import { registerEvalCommands } from "./eval";
import { registerReindexCommand } from "./reindex";
import { registerKeysCommands } from "./keys";
import { ingestCommand } from "./ingest";
import { runModelServerCommand, type ModelServerCommandOptions } from "./model-server";
import { runWorkerCommand } from "./worker";
import { execute } from "./transport";
import { readPasswordFromStdin, printTable } from "./io";

// `npm run cli -- <command>`: administration from a shell, in both database modes and whether
// or not the server is running. Reads the same .env files as the server.

nextEnv.loadEnvConfig(process.cwd(), false, { info: () => undefined, error: console.error });
// Whatever this command writes under DATA_DIR (embedded database, index, originals, keys) is owner-only.
restrictFileCreation();

interface UserRow {
  email: string;
  name: string;
  roles: string[];
  groups: { name: string }[];
  disabled: boolean;
  lastLoginAt: string | null;
}

let exitCode = 0;

const program = new Command()
  .name("cli")
  .description("Administer the knowledge Q&A server.")
  .showHelpAfterError()
  .exitOverride();

const user = program.command("user").description("Manage user accounts.");

user
  .command("add")
  .description("Create a user. The password is read from standard input.")
  .requiredOption("--email <email>", "sign-in email")
  .requiredOption("--name <name>", "display name")
  .option(
    "--role <role>",
    "admin, compliance or employee (repeat for several)",
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .option("--password-stdin", "read the password from standard input (required)")
  .action(async (opts: { email: string; name: string; role: string[]; passwordStdin?: boolean }) => {
    if (!opts.passwordStdin)
      throw new AppError(
        "invalid_request",
        "Pass --password-stdin and pipe the password in, so it never appears in the process list or shell history.",
      );
    const password = await readPasswordFromStdin();
    const created = (await execute(env(), "user.add", {
      email: opts.email,
      name: opts.name,
      roles: opts.role.length > 0 ? opts.role : undefined,
      password,
    })) as UserRow;
    console.log(`Created ${created.email} with roles: ${created.roles.join(", ")}`);
  });

user
  .command("disable")
  .description("Disable a user; their sessions and API keys stop working on their next request.")
  .requiredOption("--email <email>", "the user's email")
  .action(async (opts: { email: string }) => {
    const u = (await execute(env(), "user.disable", { email: opts.email })) as UserRow;
    console.log(`Disabled ${u.email}`);
  });

user
  .command("enable")
  .description("Enable a disabled user.")
  .requiredOption("--email <email>", "the user's email")
  .action(async (opts: { email: string }) => {
    const u = (await execute(env(), "user.enable", { email: opts.email })) as UserRow;
    console.log(`Enabled ${u.email}`);
  });

user
  .command("reset-mfa")
  .description("Remove a user's two-step sign-in (a lost phone and no recovery codes) and end their sessions.")
  .requiredOption("--email <email>", "the user's email")
  .action(async (opts: { email: string }) => {
    const r = (await execute(env(), "user.reset_mfa", { email: opts.email })) as {
      email: string;
      sessionsEnded: number;
    };
    console.log(
      `Reset two-step sign-in for ${r.email}; ended ${r.sessionsEnded} session(s). They sign in with their password and set it up again where their role requires it.`,
    );
  });

user
  .command("list")
  .description("List users.")
  .option("--json", "print JSON")
  .action(async (opts: { json?: boolean }) => {
    const rows = (await execute(env(), "user.list", {})) as UserRow[];
    if (opts.json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    printTable(
      ["EMAIL", "NAME", "ROLES", "GROUPS", "STATUS", "LAST SIGN-IN"],
      rows.map((r) => [
        r.email,
        r.name,
        r.roles.join(","),
        r.groups.map((g) => g.name).join(","),
        r.disabled ? "disabled" : "active",
        r.lastLoginAt ? new Date(r.lastLoginAt).toISOString() : "never",
      ]),
    );
  });

const apikey = program.command("apikey").description("Manage API keys.");

apikey
  .command("create")
  .description("Create an API key for a user; the key is printed once, alone on the last line.")
  .requiredOption("--email <email>", "the key owner's email")
  .option("--name <name>", "what the key is for", "cli")
  .option("--expires-in <time>", "how long the key lives: 90d, 12w or 1y (default and limit: API_KEY_MAX_DAYS)")
  .option("--scopes <list>", "what the key may do, comma-separated: chat, read, admin (default: all)")
  .action(async (opts: { email: string; name: string; expiresIn?: string; scopes?: string }) => {
    const r = (await execute(env(), "apikey.create", {
      email: opts.email,
      name: opts.name,
      expiresInDays: opts.expiresIn === undefined ? undefined : parseExpiresIn(opts.expiresIn),
      scopes: opts.scopes?.split(",").map((s) => s.trim()),
    })) as { key: string; prefix: string; email: string; expiresAt: string; scopes: string[] };
    console.log(
      `Created API key ${r.prefix} for ${r.email} (scopes ${r.scopes.join(", ")}; expires ${r.expiresAt}). It is shown once; store it now:`,
    );
    console.log(r.key);
  });

apikey
  .command("revoke")
  .description("Revoke an API key by its prefix.")
  .requiredOption("--prefix <prefix>", "the key's prefix (the 8 characters after kq_)")
  .action(async (opts: { prefix: string }) => {
    const r = (await execute(env(), "apikey.revoke", { prefix: opts.prefix })) as { prefix: string };
    console.log(`Revoked API key ${r.prefix}`);
  });

program
  .command("ingest")
  .description("Ingest a file or every file under a folder into a collection, and wait for the result.")
  .argument("<path>", "file or folder")
  .requiredOption("--collection <name>", "the collection to ingest into")
  .option("--create", "create the collection if it does not exist")
  .option(
    "--effective-from <date>",
    "when the new versions take effect (ISO date or date-time with zone; default now; later: scheduled)",
  )
  .action(async (target: string, opts: { collection: string; create?: boolean; effectiveFrom?: string }) => {
    exitCode = await ingestCommand(env(), target, opts, (line) => console.log(line));
  });

registerReindexCommand(
  program,
  (line) => console.log(line),
  (code) => {
    exitCode = code;
  },
);

program
  .command("worker")
  .description("Run ingestion workers in this process until stopped (for extra worker processes with DATABASE_URL).")
  .option("--concurrency <n>", "jobs at once (default INGEST_CONCURRENCY)")
  .action(async (opts: { concurrency?: string }) => {
    await runWorkerCommand(env(), opts.concurrency ? Number(opts.concurrency) : undefined, (line) => console.log(line));
  });

program
  .command("model-server")
  .description(
    "Serve a GGUF model over an OpenAI-compatible API (for a GPU node; the app uses it with MODEL_SERVER_URL).",
  )
  .requiredOption("--model <file>", "the GGUF file to serve")
  .option("--host <address>", "address to listen on (0.0.0.0 for other machines)", "127.0.0.1")
  .option("--port <port>", "port to listen on", "8081")
  .option("--parallel <n>", "answers generated at once (context sequences)", "2")
  .option("--queue <n>", "requests that may wait before 429", "8")
  .option("--token-file <file>", "require this bearer token (the app sends MODEL_SERVER_API_KEY_FILE)")
  .option("--threads <n>", "CPU threads (default: every core)")
  .option("--context-size <n>", "cap on tokens per sequence", "8192")
  .option("--max-tokens <n>", "most tokens one answer may produce", "512")
  .option("--gpu <mode>", "auto: offload to CUDA/Vulkan/Metal when present; off: CPU only", "auto")
  .action(async (opts: ModelServerCommandOptions) => {
    await runModelServerCommand(opts, (line) => console.log(line));
  });

registerKeysCommands(program, (line) => console.log(line));

registerBackupCommands(program, (line) => console.log(line));
registerEvalCommands(
  program,
  (line) => console.log(line),
  (code) => {
    exitCode = code;
  },
);

registerAuditCommands(
  program,
  (line) => console.log(line),
  (code) => {
    exitCode = code;
  },
);

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return err.exitCode;
    }
    if (err instanceof AppError || err instanceof EnvError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
