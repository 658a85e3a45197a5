// Counts the records of an NDJSON file that meet every FIELD=VALUE condition, with DuckDB
// (read_ndjson_objects and json_extract_string: each line parsed, as eksir and jq parse it).
//   node bench/duckdb-count.mjs FILE FIELD=VALUE ...   (THREADS=n, default all cores)
// @duckdb/node-api is installed by bench/compare.sh into bench/data/node.
import { DuckDBInstance } from '@duckdb/node-api';
import os from 'node:os';

const [file, ...conditions] = process.argv.slice(2);
const quote = (s) => `'${s.replace(/'/g, "''")}'`;
const where = conditions.map((c) => {
  const eq = c.indexOf('=');
  const path = '$.' + c.slice(0, eq);
  return `json_extract_string(json, ${quote(path)}) = ${quote(c.slice(eq + 1))}`;
});
const threads = process.env.THREADS || String(os.cpus().length);
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const sql = `SELECT count(*) FROM read_ndjson_objects(${quote(file)})` +
  (where.length ? ` WHERE ${where.join(' AND ')}` : '');
const result = await con.runAndReadAll(sql);
console.log(String(result.getRows()[0][0]));
