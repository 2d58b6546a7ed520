import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

// Reads the route tree and every "use server" module and lists each exported endpoint that is
// not built by a guard from lib/auth/guards.ts. Used by app/route-guards.test.ts.

/** The wrappers that authenticate, authorize and turn errors into responses. */
export const GUARDS = new Set(["apiRoute", "secretRoute", "guardedAction", "pendingStepAction"]);
const HTTP_METHODS = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]);

export interface Endpoint {
  file: string;
  name: string;
  guarded: boolean;
  /** How it is built: the wrapper's name, "function", "identifier" or "re-export". */
  form: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

function isExported(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
}

function hasUseServer(source: ts.SourceFile): boolean {
  const first = source.statements[0];
  return (
    !!first &&
    ts.isExpressionStatement(first) &&
    ts.isStringLiteral(first.expression) &&
    first.expression.text === "use server"
  );
}

function calleeName(expr: ts.Expression): string | null {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (!ts.isCallExpression(e)) return null;
  const callee = e.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  // apiRoute<{ id: string }>(…) parses as a call whose callee is the identifier too.
  return null;
}

/** The exported endpoints of one module: HTTP methods in a route file, every export in a "use server" module. */
export function endpointsOf(file: string, text: string, kind: "route" | "actions"): Endpoint[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const wanted = (name: string) => (kind === "route" ? HTTP_METHODS.has(name) : true);
  const out: Endpoint[] = [];
  for (const st of source.statements) {
    if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !wanted(d.name.text)) continue;
        const callee = d.initializer ? calleeName(d.initializer) : null;
        out.push({
          file,
          name: d.name.text,
          guarded: callee !== null && GUARDS.has(callee),
          form: callee ?? (d.initializer && ts.isIdentifier(d.initializer) ? "identifier" : "expression"),
        });
      }
    } else if (ts.isFunctionDeclaration(st) && isExported(st) && st.name && wanted(st.name.text)) {
      out.push({ file, name: st.name.text, guarded: false, form: "function" });
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (wanted(el.name.text) && !st.isTypeOnly && !el.isTypeOnly)
          out.push({ file, name: el.name.text, guarded: false, form: "re-export" });
      }
    } else if (ts.isExportAssignment(st)) {
      out.push({ file, name: "default", guarded: false, form: "default" });
    }
  }
  return out;
}

/** Every endpoint under app/api/**\/route.ts and app/v1/**\/route.ts, and in every "use server" module. */
export function listEndpoints(root: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const dir of ["app", "components", "lib"]) {
    for (const full of walk(path.join(root, dir))) {
      const rel = path.relative(root, full).split(path.sep).join("/");
      const text = fs.readFileSync(full, "utf8");
      const isRoute = /^app\/(api|v1)\/(.+\/)?route\.ts$/.test(rel);
      if (isRoute) out.push(...endpointsOf(rel, text, "route"));
      else if (text.includes("use server")) {
        const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
        if (hasUseServer(source)) out.push(...endpointsOf(rel, text, "actions"));
      }
    }
  }
  return out;
}
