"""The devices app's fixtures (a collection point with one device of each kind, a carded
household, the ingest door), shared by the sorting tests: their records arrive through the
pipeline like a device's."""

from cityloop.devices.tests.conftest import frozen, household, post, station  # noqa: F401
