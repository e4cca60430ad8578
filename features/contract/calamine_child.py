"""`python -m features.contract.calamine_child FILE FIRST_ONLY`: calamine's reading of a
workbook in a process of its own (`features.contract.isolated`)."""

from __future__ import annotations

from features.contract.isolated import limit_memory, serve_child

if __name__ == "__main__":
    from features.contract.sheets import calamine_read

    limit_memory()  # after the imports: what they reserve (threads' stacks) is not the file's
    serve_child(lambda path, first_only: calamine_read(path, first_only == "1"))
