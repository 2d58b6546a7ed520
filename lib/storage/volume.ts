import "server-only";
import fs from "node:fs/promises";
import path from "node:path";

// Whether a local path lies on an encrypted block device (dm-crypt: LUKS or plain), for the admin
// overview. The mount holding the path is found in /proc/self/mountinfo; its device is looked up in
// /sys/dev/block, and it or any device under it (LVM on LUKS, say) counts as encrypted when its
// device-mapper UUID starts with "CRYPT-", which is how cryptsetup names every mapping it makes.
// What cannot be seen from here is said so, never guessed: a self-encrypting drive, an encrypted
// host disk under a virtual machine or a container's overlay all read as "not detected" or "unknown".

export type VolumeEncryption = "dm-crypt" | "not-detected" | "unknown";

export interface VolumeCheck {
  path: string;
  encryption: VolumeEncryption;
  /** The mount holding the path, its file system and source, when found. */
  mountPoint: string | null;
  fsType: string | null;
  source: string | null;
  /** MAJ:MIN of the block device checked. */
  device: string | null;
  /** The dm-crypt mapping's name (e.g. luks-…), when encrypted. */
  mapping: string | null;
  detail: string;
}

export interface VolumeProbeRoots {
  /** Defaults to /proc/self/mountinfo. */
  mountinfo?: string;
  /** Defaults to /sys. */
  sys?: string;
}

interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

// mountinfo escapes space, tab, newline and backslash as octal.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(" ");
    const dash = fields.indexOf("-");
    if (fields.length < 7 || dash < 6 || fields.length < dash + 3) continue;
    mounts.push({
      device: fields[2]!,
      mountPoint: unescape(fields[4]!),
      fsType: fields[dash + 1]!,
      source: unescape(fields[dash + 2]!),
    });
  }
  return mounts;
}

/** The mount a path is on: the longest mount point containing it; a later mount over the same point wins. */
export function mountOf(mounts: Mount[], resolved: string): Mount | null {
  let best: Mount | null = null;
  for (const m of mounts) {
    const inside = m.mountPoint === "/" || resolved === m.mountPoint || resolved.startsWith(`${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** The path itself when it exists, else its nearest existing parent, with symbolic links resolved. */
async function existingRealPath(p: string): Promise<string> {
  let current = path.resolve(p);
  for (;;) {
    try {
      return await fs.realpath(current);
    } catch (err) {
      const parent = path.dirname(current);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || parent === current) throw err;
      current = parent;
    }
  }
}

const readTrimmed = (file: string) => fs.readFile(file, "utf8").then((s) => s.trim());

/**
 * `fallback` when the entry does not exist (sysfs lists `dm/` and `slaves/` only for devices that
 * have them); any other failure (permissions, I/O) propagates, so it is reported as "cannot be
 * checked" instead of being read as "no encryption".
 */
async function ifPresent<T>(read: Promise<T>, fallback: T): Promise<T> {
  try {
    return await read;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return fallback;
    throw err;
  }
}

/** The dm-crypt mapping at or under a block device's sysfs folder, searched through its slaves. */
async function cryptBelow(sys: string, deviceDir: string, depth = 0): Promise<string | null> {
  const uuid = await ifPresent(readTrimmed(path.join(deviceDir, "dm", "uuid")), "");
  if (uuid.startsWith("CRYPT-")) return (await ifPresent(readTrimmed(path.join(deviceDir, "dm", "name")), "")) || uuid;
  if (depth >= 8) return null;
  const slaves = await ifPresent(fs.readdir(path.join(deviceDir, "slaves")), [] as string[]);
  for (const name of slaves) {
    const found = await cryptBelow(sys, path.join(sys, "class", "block", name), depth + 1);
    if (found) return found;
  }
  return null;
}

/** A device file's MAJ:MIN (Linux's encoding of dev_t). */
async function deviceNumber(file: string): Promise<string | null> {
  const st = await ifPresent(fs.stat(file, { bigint: true }), null);
  if (!st || !st.isBlockDevice()) return null;
  const rdev = st.rdev;
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

export async function checkVolume(target: string, roots: VolumeProbeRoots = {}): Promise<VolumeCheck> {
  const sys = roots.sys ?? "/sys";
  const base: VolumeCheck = {
    path: target,
    encryption: "unknown",
    mountPoint: null,
    fsType: null,
    source: null,
    device: null,
    mapping: null,
    detail: "",
  };
  let resolved: string;
  let text: string;
  try {
    resolved = await existingRealPath(target);
    text = await fs.readFile(roots.mountinfo ?? "/proc/self/mountinfo", "utf8");
  } catch (err) {
    return {
      ...base,
      detail: `Cannot be checked here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    };
  }
  const mount = mountOf(parseMountinfo(text), resolved);
  if (!mount) return { ...base, detail: "No mount in /proc/self/mountinfo holds this path." };
  const found = { ...base, mountPoint: mount.mountPoint, fsType: mount.fsType, source: mount.source };

  // Major 0 is a file system without a block device of its own (overlay, tmpfs, NFS) or one that
  // reports an anonymous number (btrfs): its source, when a device file, is the device to check.
  try {
    return await inspectDevice(found, mount, sys);
  } catch (err) {
    return {
      ...found,
      detail: `Cannot be checked here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    };
  }
}

async function inspectDevice(
  found: VolumeCheck,
  mount: { device: string; source: string; fsType: string },
  sys: string,
): Promise<VolumeCheck> {
  let device: string | null = mount.device.startsWith("0:") ? null : mount.device;
  if (!device && mount.source.startsWith("/")) device = await deviceNumber(mount.source);
  if (!device)
    return {
      ...found,
      detail: `On ${mount.fsType} (${mount.source}), which is not a block device this server can inspect; check the host's storage.`,
    };
  const deviceDir = path.join(sys, "dev", "block", device);
  const exists = (await ifPresent(fs.stat(deviceDir), null)) !== null;
  if (!exists) return { ...found, device, detail: `Block device ${device} is not listed in ${sys}/dev/block.` };
  const mapping = await cryptBelow(sys, deviceDir);
  if (mapping)
    return {
      ...found,
      device,
      mapping,
      encryption: "dm-crypt",
      detail: `On dm-crypt mapping ${mapping} (${mount.source}).`,
    };
  return {
    ...found,
    device,
    encryption: "not-detected",
    detail: `On ${mount.source} (${mount.fsType}), with no dm-crypt mapping under it. A self-encrypting drive or an encrypted host disk would not show here.`,
  };
}
