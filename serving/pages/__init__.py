"""Pages for the people who decide: server-rendered HTML over the same engine, keys, roles
and audit log as the API (`/ui`)."""
