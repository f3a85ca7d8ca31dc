"""Audit replay on the command line: history, scores as of a position, export and offline verify."""
