// bench/ajv/validate.js: NDJSON events checked with ajv against the schemas
// of a sluice data dictionary, the valid lines written as read.
//
//   node bench/ajv/validate.js DICTIONARY [FILE] > valid.ndjson
//
// The dictionary's shape (analytics/README.md) becomes plain JSON Schema:
// the metadata one object schema (its rules' schemas as properties, its
// required list, no other key but _meta, and at least one identity key not
// null, as anyOf), and each event one schema for its properties (its rules,
// required, additionalProperties). An event is valid when its metadata is
// and its event is listed and its properties are. Lines are read in big
// chunks and written in big chunks, so that ajv's own speed is what counts.
// Prints "ajv: in=N valid=N invalid=N" on stderr.
"use strict";
const fs = require("fs");
const path = require("path");
const { StringDecoder } = require("string_decoder");
const Ajv = require(path.join(__dirname, "node_modules", "ajv"));
const addFormats = require(path.join(__dirname, "node_modules", "ajv-formats"));

const dict = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);

function rules(props) {
  const out = {};
  for (const [k, r] of Object.entries(props || {})) out[k] = r.schema;
  return out;
}
const meta = dict.metadata;
const metaSchema = {
  type: "object",
  properties: Object.assign(rules(meta.properties), { _meta: true }),
  required: meta.required || [],
  additionalProperties: false,
};
if ((meta.identity || []).length)
  metaSchema.anyOf = meta.identity.map((n) => ({
    required: [n],
    properties: { [n]: { not: { type: "null" } } },
  }));
const checkMeta = ajv.compile(metaSchema);
const checkEvent = new Map();
for (const [name, e] of Object.entries(dict.events)) {
  checkEvent.set(name, ajv.compile({
    type: "object",
    properties: rules(e.properties),
    required: e.required || [],
    additionalProperties: e.additionalProperties !== false,
  }));
}

function valid(line) {
  let ev;
  try {
    ev = JSON.parse(line);
  } catch (e) {
    return false;
  }
  if (!checkMeta(ev)) return false;
  const check = checkEvent.get(ev.event);
  if (!check) return false;
  return check(ev.properties === undefined ? {} : ev.properties);
}

const fd = process.argv[3] ? fs.openSync(process.argv[3], "r") : 0;
const chunk = Buffer.alloc(1 << 20);
const utf8 = new StringDecoder("utf8"); // a character cut by a chunk waits
let rest = "", out = [], outLen = 0, n = 0, good = 0;
function flush() {
  if (out.length) fs.writeSync(1, out.join(""));
  out = [];
  outLen = 0;
}
function one(line) {
  if (line.length === 0) return;
  n++;
  if (valid(line)) {
    good++;
    out.push(line, "\n");
    outLen += line.length + 1;
    if (outLen > 1 << 20) flush();
  }
}
for (;;) {
  const got = fs.readSync(fd, chunk, 0, chunk.length, null);
  if (got === 0) break;
  const text = rest + utf8.write(chunk.subarray(0, got));
  const lines = text.split("\n");
  rest = lines.pop();
  for (const line of lines) one(line);
}
one(rest + utf8.end());
flush();
process.stderr.write(`ajv: in=${n} valid=${good} invalid=${n - good}\n`);
