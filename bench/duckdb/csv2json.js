// bench/duckdb/csv2json.js: DuckDB turns a CSV file into NDJSON, on one
// thread, the way a data engineer would ask it to:
//
//   COPY (SELECT * FROM read_csv(IN, header = true, all_varchar = true,
//         delim = ',', quote = '"', escape = '"', nullstr = '\x01'))
//     TO OUT (FORMAT JSON)
//
// Every value a string (all_varchar: no type guessing, as csv2ndjson),
// the dialect given (no guess either), and an empty field kept as "" (a
// null string no export holds; DuckDB's default makes it null). FORMAT
// JSON writes one object per line. Says on stderr
// "duckdb: rows=N version=V threads=T".
//
// Usage: node bench/duckdb/csv2json.js IN.csv OUT.ndjson   (OUT may be /dev/stdout)
import { DuckDBInstance } from "@duckdb/node-api";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
	console.error("usage: node csv2json.js IN.csv OUT.ndjson");
	process.exit(64);
}
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
const db = await DuckDBInstance.create(":memory:", { threads: "1" });
const con = await db.connect();
const info = (await con.runAndReadAll(
	"SELECT version(), current_setting('threads')")).getRows()[0];
const copied = await con.runAndReadAll(
	`COPY (SELECT * FROM read_csv(${lit(input)}, header = true, ` +
	`all_varchar = true, delim = ',', quote = '"', escape = '"', ` +
	`nullstr = '\x01')) TO ${lit(output)} (FORMAT JSON)`);
const rows = copied.getRows()[0][0];
console.error(`duckdb: rows=${rows} version=${info[0]} threads=${info[1]}`);
