"""Test and demo scaffolding — never a production path.

The seed letters and their renderer (`samples`), the image transformations of posted letters (`distort`),
the imitation platform sites and their local server (`sample_site`, `sample_server`), a real OpenSearch
node (`opensearch`), a real PostgreSQL server (`postgres`) and a ready evidence world (`evidence_world`),
shared by the tests, the benchmarks and `canhbao demo`."""
