"""The error every ingest path raises when it refuses a file."""

from __future__ import annotations


class IngestError(Exception):
    """A file refused whole. The message names the file, the row where known, and the problem."""

    def __init__(self, file_name: str, problem: str, row: int | None = None):
        self.file_name = file_name
        self.problem = problem
        self.row = row
        where = f"{file_name}, row {row} (line {row + 1})" if row is not None else file_name
        super().__init__(f"{where}: {problem}")
