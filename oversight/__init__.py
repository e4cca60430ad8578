"""People decide, on the record: suggestions as stored records, decisions append-only."""
