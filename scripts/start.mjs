// `npm start`: install if needed, build if needed, then serve with embedded defaults.
// Migrations and the first-admin bootstrap run inside the server at start-up.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild, ensureDependencies, nextEnv, root } from "./setup.mjs";

ensureDependencies();
ensureBuild();

const port = process.env.PORT ?? "3000";
const child = spawn(
  process.execPath,
  [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", port],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...nextEnv, PORT: port },
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
