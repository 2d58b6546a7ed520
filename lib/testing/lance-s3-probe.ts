// Run inside a network namespace with only loopback (`unshare -n`, started by
// lib/vector/lance-storage.test.ts): a listener on 127.0.0.1 plays an S3-compatible endpoint that
// holds an empty bucket, and LanceDB's native client lists the table folder through
// connectLance with the object store settings. Prints the requests the endpoint received, and
// LanceDB's answer or error, as JSON on stdout.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectLance } from "@/lib/vector/lance-runtime";

const EMPTY_LIST = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>kq-bucket</Name><Prefix>lance/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

async function main() {
  const seen: { method: string; url: string; host: string | undefined; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      host: req.headers.host,
      authorization: req.headers.authorization,
    });
    res.writeHead(200, { "content-type": "application/xml" }).end(EMPTY_LIST);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const useSettings = process.env.PROBE_WITH_SETTINGS === "1";
  let outcome: { tables?: string[]; error?: string };
  try {
    const db = await connectLance(
      "s3://kq-bucket/lance",
      useSettings
        ? {
            S3_ENDPOINT: `http://127.0.0.1:${port}`,
            AWS_REGION: "eu-central-1",
            AWS_ACCESS_KEY_ID: "AKIAPROBE0000000000",
            AWS_SECRET_ACCESS_KEY: "probe-secret-key",
            S3_FORCE_PATH_STYLE: true,
          }
        : {
            S3_ENDPOINT: undefined,
            AWS_REGION: undefined,
            AWS_ACCESS_KEY_ID: "AKIAPROBE0000000000",
            AWS_SECRET_ACCESS_KEY: "probe-secret-key",
            S3_FORCE_PATH_STYLE: false,
          },
    );
    outcome = { tables: await db.tableNames() };
  } catch (err) {
    outcome = { error: (err as Error).message.slice(0, 400) };
  }
  server.close();
  process.stdout.write(JSON.stringify({ port, seen, ...outcome }));
}

void main();
