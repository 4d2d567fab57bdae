"""connectkit released as a package: its version record, and its wheel and sdist checked."""
