"""``cityloop ingest-mqtt``: the issue's name for ``cityloop ingest_mqtt`` (the same command)."""

from cityloop.devices.management.commands.ingest_mqtt import Command

__all__ = ["Command"]
