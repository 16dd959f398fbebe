// A try-on against `sellerpic-mock serve`, as an app in another language would test it: the
// SellerPic API for the work, the simulator's control API for time and for what it cost.
//
//   sellerpic-mock serve --ephemeral --port 8080 &
//   SELLERPIC_BASE_URL=http://127.0.0.1:8080 node --test examples/node/
//
// Node's built-in test runner and fetch; no npm packages.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { png } from "./png.mjs";

const BASE = process.env.SELLERPIC_BASE_URL ?? "http://127.0.0.1:8080";
const CONTROL = `${BASE}/_sellerpic`;
const KEY = `sk-node-example-${process.pid}`;
const AUTH = { Authorization: `Bearer ${KEY}` };

async function api(path, init = {}) {
  const answer = await fetch(`${BASE}/v1/api${path}`, {
    ...init,
    headers: { ...AUTH, ...(init.headers ?? {}) },
  });
  const body = await answer.json();
  assert.equal(body.code, 0, `${path}: ${JSON.stringify(body)}`);
  return body.data;
}

async function control(path, init = {}) {
  const answer = await fetch(`${CONTROL}${path}`, {
    ...init,
    headers: { "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  assert.ok(answer.ok, `${path}: ${answer.status} ${await answer.clone().text()}`);
  return answer.status === 204 ? null : answer.json();
}

async function upload(picture) {
  const { fileKey, imageUrl } = await api("/upload/url?format=png");
  // The presigned URL exactly as given, and no API key: it carries its own signature.
  const put = await fetch(imageUrl, { method: "PUT", body: picture });
  assert.equal(put.status, 200);
  return fileKey;
}

const SIDE = 256;
const inSquare = (x, y) => x >= 64 && x < 192 && y >= 64 && y < 192;
const model = png(SIDE, SIDE, (x, y) => (inSquare(x, y) ? [190, 150, 120] : [240, 240, 240]));
const mask = png(SIDE, SIDE, (x, y) => (inSquare(x, y) ? 255 : 0), { grey: true });
const bag = png(SIDE, SIDE, (x, y) => (inSquare(x, y) ? [120, 40, 30] : [255, 255, 255]));

let account;

before(async () => {
  // A fresh account of our own with 100 credits, and an empty journal.
  account = await control("/accounts", {
    method: "POST",
    body: JSON.stringify({ key: KEY, credits: 100 }),
  });
  await control("/requests", { method: "DELETE" });
});

test("a try-on is created once, finishes when time passes, and costs 2 credits", async () => {
  const body = {
    modelImageKey: await upload(model),
    modelMaskKey: await upload(mask),
    productImageKey: await upload(bag),
  };
  const { id } = await api("/generate/tryOnAccessories", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

  let status = await api(`/generate?id=${id}`);
  assert.ok(status.resultList.every((item) => item.status !== "SUCCESS"));

  // No waiting: move the simulator's clock past the task's end.
  await control("/clock/advance", { method: "POST", body: JSON.stringify({ seconds: 60 }) });
  status = await api(`/generate?id=${id}`);
  assert.deepEqual(status.resultList.map((item) => item.status), ["SUCCESS", "SUCCESS"]);

  for (const item of status.resultList) {
    const link = await api(`/download?id=${item.id}&downloadFormat=png`);
    const file = await fetch(link.fileUrl);
    assert.equal(file.status, 200);
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.equal(bytes.subarray(1, 4).toString("ascii"), "PNG");
  }

  const { requests } = await control(`/requests?account=${account.id}`);
  const creates = requests.filter((r) => r.operation === "tryOnAccessories");
  assert.equal(creates.length, 1);
  assert.equal(creates[0].task_id, id);
  assert.equal(creates[0].suspected_duplicate_of, null);
  assert.ok(requests.every((r) => !JSON.stringify(r).includes(KEY)), "the journal never shows a key");

  const { entries } = await control(`/accounts/${account.id}/ledger`);
  assert.deepEqual(
    entries.map((e) => [e.kind, e.credits, e.task_id]),
    [["charge", 2, id]],
  );
});
