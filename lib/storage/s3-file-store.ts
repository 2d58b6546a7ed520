import "server-only";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { checkKey, type FileStore, type FileStoreSettings, type FileStoreUsage } from "./file-store";

// Originals in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …), so that any app or worker
// node can read what another stored. A PUT is atomic on every S3 store: a reader sees the whole
// object or none, which is what the disk store gets from its rename.

export interface S3Location {
  bucket: string;
  /** "" or a prefix ending in "/". */
  prefix: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function parseS3Uri(uri: string): S3Location {
  const m = S3_URI.exec(uri);
  if (!m) throw new Error(`not an s3://bucket/prefix URI: ${uri}`);
  const prefix = (m[2] ?? "").replace(/^\/+|\/+$/g, "");
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : "" };
}

function isMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404);
}

export class S3FileStore implements FileStore {
  readonly kind = "s3" as const;
  readonly location: string;
  private readonly client: S3Client;

  constructor(
    private readonly at: S3Location,
    s: Omit<FileStoreSettings, "FILES_URI">,
  ) {
    this.location = `s3://${at.bucket}/${at.prefix}`;
    this.client = new S3Client({
      // The SDK's own default would be read from the AWS_* environment and config files; the
      // configuration validated in lib/env.ts is the one place these come from.
      region: s.AWS_REGION ?? "us-east-1",
      ...(s.S3_ENDPOINT ? { endpoint: s.S3_ENDPOINT } : {}),
      forcePathStyle: s.S3_FORCE_PATH_STYLE,
      ...(s.AWS_ACCESS_KEY_ID && s.AWS_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: s.AWS_ACCESS_KEY_ID, secretAccessKey: s.AWS_SECRET_ACCESS_KEY } }
        : {}),
      // Checksums only where the operation requires them: many on-premises stores reject the
      // CRC32 trailers the SDK adds by default. The envelope's GCM tag detects any corruption anyway.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private objectKey(key: string): string {
    return this.at.prefix + checkKey(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.at.bucket,
        Key: this.objectKey(key),
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: "application/octet-stream",
      }),
    );
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.at.bucket, Key: this.objectKey(key) }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 whether or not the object existed.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.at.bucket, Key: this.objectKey(key) }));
  }

  async usage(): Promise<FileStoreUsage> {
    const total = { files: 0, bytes: 0 };
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.at.bucket,
          Prefix: this.at.prefix || undefined,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        total.files += 1;
        total.bytes += o.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return total;
  }
}
