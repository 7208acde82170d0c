"""The ``opencsp`` command line: a root Typer app that mounts each domain's ``cli.py``."""
