import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkVolume, parseMountinfo } from "./volume";

// The dm-crypt check reads mountinfo and sysfs; here both are laid out as files the way Linux
// lays them out (LVM on LUKS, a plain partition, a direct plain-mode mapping, an overlay), and the
// real /proc and /sys of this machine are read too.

let root: string;
let roots: { mountinfo: string; sys: string };

function put(file: string, text = "") {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kq-volume-")));
  for (const d of ["data/pg", "data/lance", "data/files", "with space/x", "overlay", "ghost", "unreadable"])
    fs.mkdirSync(path.join(root, d), { recursive: true });
  const sys = path.join(root, "sys");
  // An LVM volume (253:3) whose physical volume is the LUKS mapping dm-1.
  put(path.join(sys, "dev/block/253:3/dm/uuid"), "LVM-Zx81abc\n");
  fs.mkdirSync(path.join(sys, "dev/block/253:3/slaves/dm-1"), { recursive: true });
  put(path.join(sys, "class/block/dm-1/dm/uuid"), "CRYPT-LUKS2-0f1e2d3c4b5a69788796a5b4c3d2e1f0-luks-data\n");
  put(path.join(sys, "class/block/dm-1/dm/name"), "luks-data\n");
  fs.mkdirSync(path.join(sys, "class/block/dm-1/slaves/sda2"), { recursive: true });
  // A plain partition, and a plain-mode dm-crypt mapping mounted directly.
  fs.mkdirSync(path.join(sys, "dev/block/8:1"), { recursive: true });
  put(path.join(sys, "dev/block/253:4/dm/uuid"), "CRYPT-PLAIN-secure\n");
  put(path.join(sys, "dev/block/253:4/dm/name"), "secure\n");
  const line = (id: number, dev: string, mp: string, fsType: string, source: string) =>
    `${id} 1 ${dev} / ${mp.replace(/ /g, "\\040")} rw,relatime shared:${id} - ${fsType} ${source} rw`;
  put(
    path.join(root, "mountinfo"),
    [
      line(20, "254:0", "/", "ext4", "/dev/vda"),
      line(21, "253:3", path.join(root, "data"), "xfs", "/dev/mapper/vg-data"),
      line(22, "8:1", path.join(root, "data/lance"), "ext4", "/dev/sda1"),
      line(23, "253:4", path.join(root, "with space"), "ext4", "/dev/mapper/secure"),
      line(24, "0:52", path.join(root, "overlay"), "overlay", "overlay"),
      line(25, "9:9", path.join(root, "ghost"), "ext4", "/dev/md9"),
      line(26, "253:7", path.join(root, "unreadable"), "ext4", "/dev/mapper/odd"),
    ].join("\n") + "\n",
  );
  // A device whose dm/uuid cannot be read as a file (here: a folder, EISDIR; in life: EACCES).
  fs.mkdirSync(path.join(sys, "dev/block/253:7/dm/uuid"), { recursive: true });
  roots = { mountinfo: path.join(root, "mountinfo"), sys };
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("finding an encrypted volume under a path", () => {
  it("says it cannot check a device whose sysfs entries fail to read, never that it is unencrypted", async () => {
    const v = await checkVolume(path.join(root, "unreadable"), roots);
    expect(v.encryption).not.toBe("not-detected");
    expect(v.detail).toBe("Cannot be checked here (EISDIR).");
  });

  it("sees LUKS under LVM, naming the mapping", async () => {
    const v = await checkVolume(path.join(root, "data/pg"), roots);
    expect(v).toMatchObject({
      encryption: "dm-crypt",
      mapping: "luks-data",
      device: "253:3",
      mountPoint: path.join(root, "data"),
      fsType: "xfs",
      source: "/dev/mapper/vg-data",
    });
  });

  it("takes the innermost mount: a plain partition mounted inside an encrypted one is not encrypted", async () => {
    const v = await checkVolume(path.join(root, "data/lance"), roots);
    expect(v).toMatchObject({ encryption: "not-detected", device: "8:1", mapping: null });
    expect(v.detail).toMatch(/no dm-crypt mapping/);
  });

  it("checks the nearest existing folder of a path not created yet", async () => {
    const v = await checkVolume(path.join(root, "data/files/ab/not-yet.enc"), roots);
    expect(v).toMatchObject({ encryption: "dm-crypt", mountPoint: path.join(root, "data") });
  });

  it("reads escaped mount points and a plain-mode mapping", async () => {
    expect(parseMountinfo(fs.readFileSync(roots.mountinfo, "utf8")).map((m) => m.mountPoint)).toContain(
      path.join(root, "with space"),
    );
    const v = await checkVolume(path.join(root, "with space/x"), roots);
    expect(v).toMatchObject({ encryption: "dm-crypt", mapping: "secure", device: "253:4" });
  });

  it("says it cannot tell for an overlay or a device sysfs does not list", async () => {
    const overlay = await checkVolume(path.join(root, "overlay"), roots);
    expect(overlay).toMatchObject({ encryption: "unknown", fsType: "overlay", device: null });
    expect(overlay.detail).toMatch(/overlay/);
    const ghost = await checkVolume(path.join(root, "ghost"), roots);
    expect(ghost).toMatchObject({ encryption: "unknown", device: "9:9" });
  });

  it("reports unknown, not a failure, when mountinfo cannot be read", async () => {
    const v = await checkVolume(root, { ...roots, mountinfo: path.join(root, "no-such-file") });
    expect(v.encryption).toBe("unknown");
    expect(v.detail).toMatch(/ENOENT/);
  });

  it.runIf(process.platform === "linux")("reads this machine's own mounts", async () => {
    const proc = await checkVolume("/proc");
    expect(proc).toMatchObject({ encryption: "unknown", mountPoint: "/proc", fsType: "proc" });
    const tmp = await checkVolume(os.tmpdir());
    expect(tmp.mountPoint).not.toBeNull();
    expect(["dm-crypt", "not-detected", "unknown"]).toContain(tmp.encryption);
  });
});
