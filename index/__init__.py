"""Alert and post stores behind one interface: SQLite (embedded default), OpenSearch, Elasticsearch."""
