"""The warehouse: table definitions, connections, schema, loaders and the SQL build."""
