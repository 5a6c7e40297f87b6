// Stand-ins for curl and jq, so that the READMEs' shell examples run as written on a machine without them: only
// what the examples use (curl: URL, -s, -H, -d, -X, -o, -w with %{http_code}; jq: -r and a .key.key path), each
// with curl's and jq's output. Anything else fails loudly, naming this file to extend.
// Usage: node curl-jq.mjs curl ARGS… | node curl-jq.mjs jq ARGS…
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import process from "node:process";

const [tool, ...args] = process.argv.slice(2);

function unsupported(what) {
  process.stderr.write(`stand-in ${tool}: ${what} is not supported (extend apps/server/src/test-fixtures/curl-jq.mjs)\n`);
  process.exit(2);
}

async function curl() {
  let url;
  let method;
  let body;
  let output;
  let format;
  const headers = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => (i + 1 < args.length ? args[++i] : unsupported(`${arg} without a value`));
    if (arg === "-s") continue;
    else if (arg === "-H") {
      const header = value();
      const colon = header.indexOf(":");
      if (colon < 1) unsupported(`header ${JSON.stringify(header)}`);
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (arg === "-d") body = value();
    else if (arg === "-X") method = value();
    else if (arg === "-o") output = value();
    else if (arg === "-w") format = value();
    else if (arg.startsWith("-")) unsupported(`option ${arg}`);
    else if (url === undefined) url = arg;
    else unsupported(`a second URL ${arg}`);
  }
  if (url === undefined) unsupported("a call without a URL");
  // As curl: -d sends a POST with the data as given (a form type unless a header says otherwise).
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/x-www-form-urlencoded";
  let res;
  try {
    res = await globalThis.fetch(url, { method: method ?? (body === undefined ? "GET" : "POST"), headers, ...(body === undefined ? {} : { body }) });
  } catch (error) {
    process.stderr.write(`stand-in curl: (7) ${error.cause?.message ?? error.message}\n`);
    process.exit(7);
  }
  const text = Buffer.from(await res.arrayBuffer());
  if (output === undefined) process.stdout.write(text);
  else writeFileSync(output, text);
  if (format !== undefined) {
    const written = format.replace(/%\{(\w+)\}/g, (_, name) => (name === "http_code" ? String(res.status) : unsupported(`-w variable %{${name}}`))).replace(/\\n/g, "\n");
    process.stdout.write(written);
  }
}

async function jq() {
  let raw = false;
  let filter;
  for (const arg of args) {
    if (arg === "-r") raw = true;
    else if (arg.startsWith("-")) unsupported(`option ${arg}`);
    else if (filter === undefined) filter = arg;
    else unsupported(`a second filter or a file ${arg}`);
  }
  if (filter === undefined || !/^\.(\w+(\.\w+)*)?$/.test(filter)) unsupported(`filter ${JSON.stringify(filter)}`);
  // Read as a stream: a synchronous read of a pipe fails with EAGAIN while the writer has not written yet.
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  let value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  for (const key of filter.slice(1).split(".").filter(Boolean)) value = value === null || typeof value !== "object" ? null : (value[key] ?? null);
  process.stdout.write(`${raw && typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);
}

if (tool === "curl") await curl();
else if (tool === "jq") await jq();
else unsupported(`tool ${JSON.stringify(tool)}`);
