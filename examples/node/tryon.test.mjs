// A try-on against the offline simulator, from Node: no SDK, no npm dependencies (Node 20's
// built-in test runner and fetch). The control API under /_sellerpic/ makes time pass and says
// what the app sent and what it cost.
//
//   node --test examples/node/
//
// Runs against SELLERPIC_MOCK_URL when set, else starts `sellerpic-mock serve --port 0
// --ephemeral` itself (SELLERPIC_MOCK_COMMAND overrides the command, e.g. a venv's path).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { deflateSync } from "node:zlib";

const KEY = "sk-node-example";
// Pictures every simulator account may use (the API docs' sample keys).
const SAMPLE_MODEL = "UPLOAD/MANAGE/SAMPLE/product/1-original.png";
const SAMPLE_MASK = "UPLOAD/MANAGE/SAMPLE/product/1-mask.png";

let base;
let server;

async function startSimulator() {
  const command = process.env.SELLERPIC_MOCK_COMMAND ?? "sellerpic-mock";
  server = spawn(command, ["serve", "--port", "0", "--ephemeral"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const failed = new Promise((_, reject) => server.once("error", reject));
  // Its first stdout line is its URL, printed once it listens.
  const lines = createInterface({ input: server.stdout });
  const first = new Promise((resolve) => lines.once("line", resolve));
  return await Promise.race([first, failed]);
}

async function call(method, path, { body, key, expect = 200 } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, expect, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

// The mocked API answers in an envelope: {code, data, msg, success, traceId}.
async function api(method, path, body) {
  const envelope = await call(method, path, { body, key: KEY });
  assert.equal(envelope.code, 0, `${method} ${path}: ${envelope.msg}`);
  return envelope.data;
}

// A small PNG (solid colour), written with zlib only.
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, tail]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

before(async () => {
  base = process.env.SELLERPIC_MOCK_URL ?? (await startSimulator());
  // A known state for the assertions below: no tasks, an empty journal, our own account.
  await call("POST", "/_sellerpic/reset");
});

after(() => server?.kill());

test("a try-on costs 2 credits and is sent exactly once", async () => {
  const account = await call("POST", "/_sellerpic/accounts", {
    body: { key: KEY, credits: 10 },
    expect: 201,
  });
  assert.ok(!JSON.stringify(account).includes(KEY), "the control API never shows a key");

  // Upload the product picture through a presigned URL (no key on the PUT).
  const upload = await api("GET", "/v1/api/upload/url?format=png");
  const put = await fetch(upload.imageUrl, { method: "PUT", body: png(64, 64, [200, 60, 40]) });
  assert.equal(put.status, 200);

  const { id: taskId } = await api("POST", "/v1/api/generate/tryOnAccessories", {
    modelImageKey: SAMPLE_MODEL,
    modelMaskKey: SAMPLE_MASK,
    productImageKey: upload.fileKey,
  });

  // Instead of waiting for the task: one minute passes on the simulated clock.
  await call("POST", "/_sellerpic/clock/advance", { body: { seconds: 60 } });
  let results;
  for (let attempt = 0; attempt < 10; attempt++) {
    ({ resultList: results } = await api("GET", `/v1/api/generate?id=${taskId}`));
    if (results.every((r) => r.status === "SUCCESS" || r.status === "FAILED")) break;
  }
  assert.deepEqual(results.map((r) => r.status), ["SUCCESS", "SUCCESS"]);

  const link = await api("GET", `/v1/api/download?id=${results[0].id}&downloadFormat=png`);
  const picture = Buffer.from(await (await fetch(link.fileUrl)).arrayBuffer());
  assert.deepEqual([...picture.subarray(1, 4)], [80, 78, 71], "the result is a PNG");

  // What did the app send, and what did it cost?
  const { requests } = await call(
    "GET",
    `/_sellerpic/requests?operation=tryOnAccessories&account=${account.id}`,
  );
  assert.equal(requests.length, 1, "exactly one create was sent");
  assert.equal(requests[0].task_id, taskId);
  assert.equal(requests[0].credits_charged, 2);
  assert.equal(requests[0].suspected_duplicate_of, null);

  const { entries } = await call("GET", `/_sellerpic/accounts/${account.id}/ledger`);
  assert.deepEqual(
    entries.map((e) => [e.kind, e.task_id, e.credits]),
    [["charge", taskId, 2]],
  );
  const { accounts } = await call("GET", "/_sellerpic/accounts");
  const mine = accounts.find((a) => a.id === account.id);
  assert.deepEqual(mine.credits, { total: 10, used: 2, charged: 2, refunded: 0, remaining: 8 });
});
