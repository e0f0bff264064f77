"""User-facing errors.

Every problem a user can fix (bad input, missing data, a broken rules file) is raised as a
`GenreReportError`; the CLI prints its one-line message and exits non-zero. Anything else is a bug:
one line too, naming the stage, and its traceback with --debug.
"""

# How the CLI's one error line starts; `serve` finds a child build's error by it.
ERROR_PREFIX = "genrereport: error: "


class GenreReportError(Exception):
    """An error whose message tells the user what went wrong and what to do."""

    exit_code = 2


class DataError(GenreReportError):
    """A data file is missing, corrupt, or breaks the schema."""


class RulesError(GenreReportError):
    """The genre rules file cannot be used."""
