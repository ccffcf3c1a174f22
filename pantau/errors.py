"""Errors the CLI turns into a one-line reason and exit code 1."""


class UserError(Exception):
    """Anything the user can fix (a bad argument, a missing file, a refused statement)."""
