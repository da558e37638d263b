// A real RFC 3161 timestamp authority on loopback: `openssl ts -reply` behind a tiny HTTP
// server, with a throwaway CA and TSA certificate (extendedKeyUsage=critical,timeStamping)
// made by openssl when the test starts.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestTsa {
  url: string;
  /** The CA that issued the TSA certificate (PEM): what a verifier trusts. */
  caPem: string;
  caFile: string;
  requests: number;
  close(): Promise<void>;
}

const openssl = (dir: string, ...args: string[]) =>
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), "vg-tsa-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "30",
    "-subj",
    "/CN=Vangrail Test TSA Root",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl(dir, "req", ...ec, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Vangrail Test TSA");
  writeFileSync(
    join(dir, "tsa.ext"),
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
  );
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "tsa.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "tsa.crt",
    "-days",
    "30",
    "-extfile",
    "tsa.ext",
  );
  writeFileSync(join(dir, "tsaserial"), "01\n");
  writeFileSync(
    join(dir, "tsa.cnf"),
    `[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  const tsa: TestTsa = {
    url: "",
    caPem: readFileSync(join(dir, "ca.crt"), "utf8"),
    caFile: join(dir, "ca.crt"),
    requests: 0,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      tsa.requests++;
      if (req.method !== "POST" || req.headers["content-type"] !== "application/timestamp-query") {
        res.writeHead(415);
        res.end();
        return;
      }
      const id = randomBytes(6).toString("hex");
      const q = join(dir, `${id}.tsq`);
      const r = join(dir, `${id}.tsr`);
      try {
        writeFileSync(q, Buffer.concat(chunks));
        openssl(dir, "ts", "-reply", "-config", "tsa.cnf", "-queryfile", q, "-out", r);
        const body = readFileSync(r);
        res.writeHead(200, { "content-type": "application/timestamp-reply", "content-length": body.length });
        res.end(body);
      } catch {
        res.writeHead(500);
        res.end();
      } finally {
        rmSync(q, { force: true });
        rmSync(r, { force: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  tsa.close = () =>
    new Promise<void>((resolve) =>
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      }),
    );
  return tsa;
}
