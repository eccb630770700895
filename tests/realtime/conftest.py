"""The live tests use the debate's fixtures (a debate is the stream they follow)."""

from tests.debates.conftest import outsider, proposal, second_steward  # noqa: F401
