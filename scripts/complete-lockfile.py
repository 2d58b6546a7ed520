# Adds lock entries for optional platform packages (other OS/CPU builds) that this registry
# mirror does not serve: npm install leaves them out, and npm ci then refuses the lockfile.
# Run after changing dependencies: python3 scripts/complete-lockfile.py package-lock.json .
import json, re, subprocess, sys
lock_path = sys.argv[1]
out = subprocess.run(["npm", "ci", "--dry-run", "--no-audit", "--no-fund"], capture_output=True, text=True, cwd=sys.argv[2]).stderr
missing = sorted(set(re.findall(r"Missing: (.+?)@\S* from lock file", out)))
lock = json.load(open(lock_path))
pk = lock["packages"]
# version from any parent's optionalDependencies
want = {}
for k, v in pk.items():
    for name, ver in (v.get("optionalDependencies") or {}).items():
        want.setdefault(name, ver)
added = 0
for name in missing:
    key = f"node_modules/{name}"
    if key in pk: continue
    ver = want.get(name)
    if not ver: print("no version for", name); continue
    entry = {"version": ver, "optional": True}
    # os/cpu from the package name, so npm skips it on other platforms without fetching.
    n = name.split("/")[-1]
    for os_ in ["android","darwin","freebsd","linux","win32","openbsd","sunos","netbsd","aix"]:
        if re.search(rf"(^|-){os_}(-|$)", n): entry["os"] = [os_]
    for cpu in ["arm64","x64","arm","ia32","riscv64","ppc64","s390x","wasm32","loong64","mips64el"]:
        if re.search(rf"(^|-){cpu}(-|$)", n): entry["cpu"] = [cpu]
    if "armv7l" in n: entry["cpu"] = ["arm"]
    if "wasm32" in n: entry.pop("os", None); entry["cpu"] = ["wasm32"]
    pk[key] = entry; added += 1
json.dump(lock, open(lock_path, "w"), indent=2); open(lock_path, "a").write("\n")
print("missing", len(missing), "added", added)
