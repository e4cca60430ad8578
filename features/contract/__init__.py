"""The data contract: its schema, how files are read, the rules, validation and its report."""
