"""The release tests' stand-in: the stand-in tests' own fixture, not a second copy of it."""

# alice (analysts) visits by default; bob (sales) is registered
from tests.stand_in.conftest import connect  # noqa: F401
