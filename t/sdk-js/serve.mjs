// serve.mjs — the official OpenSandbox JavaScript SDK against
// `osb-sandbox serve`, as TAP lines for t/t9200-sdk-js-serve.sh:
//
//	SERVE_DOMAIN=127.0.0.1:PORT SERVE_API_KEY=K node serve.mjs
//
// The sandbox's whole life goes through the SDK's own calls: create (which
// waits for the execd the server names to answer), getInfo, commands,
// files, endpoints, renew, metadata, list, pause and resume, kill, and the
// same again through the server's proxy (useServerProxy). Prints "ok N -
// what" or "not ok N - what" and the reason, no plan; exits 0 unless the
// script itself broke.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";

import {
  ConnectionConfig,
  Sandbox,
  SandboxApiException,
  SandboxManager,
} from "@alibaba-group/opensandbox";

const DOMAIN = process.env.SERVE_DOMAIN;
const API_KEY = process.env.SERVE_API_KEY;
const TAG = `sdk-${process.pid}`;

let testCount = 0;

// Runs one check and prints its TAP line; a failure's reason follows as
// "#" lines.
async function test(what, fn) {
  testCount += 1;
  let failure;
  try {
    await fn();
  } catch (e) {
    failure = e;
  }
  console.log(`${failure ? "not ok" : "ok"} ${testCount} - ${what}`);
  if (failure) {
    const why = failure instanceof assert.AssertionError ?
      failure.message : describeError(failure);
    console.log(why.replace(/^/gm, "#   "));
  }
}

// How an error looks to the SDK's user: status, code and message.
function describeError(e) {
  if (!(e instanceof SandboxApiException)) return `error: ${e.message}`;
  return `${e.statusCode} ${e.error.code}: ${e.error.message}`;
}

// Asserts that promise fails with an API error of this status and code;
// returns the error.
async function rejects(promise, status, code) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `no error, expected ${status} ${code}`);
  assert.ok(error instanceof SandboxApiException, describeError(error));
  assert.equal(`${error.statusCode} ${error.error.code}`, `${status} ${code}`,
    describeError(error));
  return error;
}

function connection(extra = {}) {
  return new ConnectionConfig({
    domain: DOMAIN,
    apiKey: API_KEY,
    requestTimeoutSeconds: 30,
    ...extra,
  });
}

// What a run printed and how it ended.
async function run(sbx, command) {
  const ex = await sbx.commands.run(command);
  return {
    stdout: ex.logs.stdout.map((m) => m.text),
    stderr: ex.logs.stderr.map((m) => m.text),
    exitCode: ex.exitCode,
  };
}

async function lifeChecks(sbx) {
  await test("getInfo: Running, with what create was given", async () => {
    const info = await sbx.getInfo();
    assert.equal(info.id, sbx.id);
    assert.equal(info.status.state, "Running");
    assert.equal(info.metadata.suite, TAG);
    assert.deepEqual(info.entrypoint, ["tail", "-f", "/dev/null"]);
    assert.ok(info.createdAt instanceof Date, `createdAt ${info.createdAt}`);
    const left = info.expiresAt - Date.now();
    assert.ok(left > 250000 && left <= 300000, `expires in ${left} ms`);
  });

  await test("commands.run: output and exit code, env from create",
    async () => {
      assert.deepEqual(await run(sbx, "echo \"hi $GREETING\"; exit 3"), {
        stdout: ["hi from the sdk"], stderr: [], exitCode: 3,
      });
    });

  await test("files: written in the sandbox, read back, not on the host",
    async () => {
      const path = `/tmp/${TAG}.txt`;
      await sbx.files.writeFiles([{ path, data: "sandboxed\n" }]);
      assert.equal(await sbx.files.readFile(path), "sandboxed\n");
      assert.deepEqual((await run(sbx, `cat ${path}`)).stdout, ["sandboxed"]);
      assert.equal(existsSync(path), false, `${path} is on the host`);
    });

  await test("getEndpoint(44772): the sandbox's own address, port 44772, and the execd token header",
    async () => {
      const ep = await sbx.getEndpoint(44772);
      assert.match(ep.endpoint, /^127\.\d+\.\d+\.\d+:44772$/);
      assert.doesNotMatch(ep.endpoint, /^127\.0\.0\.1:/);
      assert.ok(ep.headers["X-EXECD-ACCESS-TOKEN"], "no token header");
    });

  await test("renew: expiresAt moves", async () => {
    const r = await sbx.renew(900);
    const left = new Date(r.expiresAt) - Date.now();
    assert.ok(left > 850000 && left <= 900000, `expires in ${left} ms`);
  });

  await test("patchMetadata: merge patch, the whole sandbox back",
    async () => {
      const info = await sbx.patchMetadata({ extra: "1", suite: null });
      assert.deepEqual(info.metadata, { extra: "1" });
      await sbx.patchMetadata({ suite: TAG });
    });

  await test("SandboxManager.listSandboxInfos: state and metadata filters",
    async () => {
      const manager = SandboxManager.create({ connectionConfig: connection() });
      try {
        const hit = await manager.listSandboxInfos({
          states: ["Paused", "Running"], metadata: { suite: TAG, extra: "1" },
        });
        assert.deepEqual(hit.items.map((s) => s.id), [sbx.id]);
        assert.equal(hit.pagination.totalItems, 1);
        const miss = await manager.listSandboxInfos({
          metadata: { suite: TAG, extra: "2" },
        });
        assert.deepEqual(miss.items, []);
      } finally {
        await manager.close();
      }
    });
}

async function proxyChecks(id) {
  const config = connection({ useServerProxy: true });
  let sbx;
  await test("Sandbox.connect with useServerProxy: execd through the server",
    async () => {
      sbx = await Sandbox.connect({ sandboxId: id, connectionConfig: config });
      const ep = await sbx.getEndpoint(44772);
      assert.equal(ep.endpoint, `${DOMAIN}/sandboxes/${id}/proxy/44772`);
      assert.deepEqual(await run(sbx, "for i in 1 2 3; do echo $i; done"),
        { stdout: ["1", "2", "3"], stderr: [], exitCode: 0 });
      const big = "x".repeat(1 << 20);
      await sbx.files.writeFiles([{ path: `/tmp/${TAG}.big`, data: big }]);
      assert.equal(await sbx.files.readFile(`/tmp/${TAG}.big`), big);
    });
  await config.closeTransport();
}

// The resumed Sandbox shares sbx's connection, closed with it.
async function pauseChecks(sbx) {
  await test("pause, then resume: Paused, then Running and answering",
    async () => {
      await sbx.pause();
      assert.equal((await sbx.getInfo()).status.state, "Paused");
      const resumed = await sbx.resume();
      assert.equal((await resumed.getInfo()).status.state, "Running");
      assert.deepEqual((await run(resumed, "echo back")).stdout, ["back"]);
    });
}

async function main() {
  let sbx;
  await test("Sandbox.create: waits until the sandbox answers", async () => {
    sbx = await Sandbox.create({
      connectionConfig: connection(),
      image: "/",
      timeoutSeconds: 300,
      env: { GREETING: "from the sdk" },
      metadata: { suite: TAG },
      readyTimeoutSeconds: 20,
    });
    assert.match(sbx.id, /\S/);
  });
  if (!sbx) return;
  try {
    await lifeChecks(sbx);
    await proxyChecks(sbx.id);
    await pauseChecks(sbx);
    await test("kill: the sandbox is gone (404), with a request id",
      async () => {
        await sbx.kill();
        const e = await rejects(sbx.getInfo(), 404, "SANDBOX_NOT_FOUND");
        assert.match(e.requestId ?? "", /^[0-9a-f]{32}$/);
      });
  } finally {
    await sbx.close();
  }
  await test("a wrong API key: 401 INVALID_API_KEY", async () => {
    const manager = SandboxManager.create({
      connectionConfig: new ConnectionConfig({ domain: DOMAIN, apiKey: "nope" }),
    });
    try {
      await rejects(manager.listSandboxInfos({}), 401, "INVALID_API_KEY");
    } finally {
      await manager.close();
    }
  });
}

await main();
