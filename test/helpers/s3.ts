// A real S3-protocol server for tests: s3rver, in this process, on loopback, storing in a temp
// folder that goes when it closes. It checks that a request names a known access key (S3RVER),
// not its signature. Each test server gets its own key prefix, so one bucket serves a whole file.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import type { Socket } from "node:net";
import path from "node:path";
import S3rver from "s3rver";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { s3Client } from "../../src/blobs/s3-blob-store.js";
import { loadConfig } from "../../src/config.js";

export const TEST_BUCKET = "passport-test";

export interface TestS3 {
  endpoint: string;
  /** A bucket, under a fresh key prefix: BLOB_STORE=s3 and its S3_* variables for a test server. */
  env(prefix?: string): Record<string, string>;
  client: S3Client;
  /** Every key in the bucket under `prefix` (blobs, temporary objects, anything). */
  keys(prefix?: string): Promise<string[]>;
  /** Bytes the server has read off its sockets so far (to see how far a client runs ahead). */
  received(): number;
  close(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "passport-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: TEST_BUCKET }] });
  const { port } = await server.run();
  const sockets: Socket[] = [];
  server.httpServer.on("connection", (socket: Socket) => sockets.push(socket));
  const endpoint = `http://127.0.0.1:${port}`;
  const env = (prefix = `t${crypto.randomBytes(6).toString("hex")}/`) => ({
    BLOB_STORE: "s3",
    S3_ENDPOINT: endpoint,
    S3_BUCKET: TEST_BUCKET,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
    S3_PREFIX: prefix,
  });
  const client = s3Client(loadConfig(env("x/")).blobs.s3!);
  return {
    endpoint,
    env,
    client,
    keys: async (prefix = "") => {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }));
        out.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    received: () => sockets.reduce((n, s) => n + s.bytesRead, 0),
    close: async () => {
      client.destroy();
      server.httpServer.closeAllConnections?.();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
