"""Writes of the device registry."""

from __future__ import annotations

from django.db import models, transaction

from cityloop.devices import tokens
from cityloop.devices.models import Device


@transaction.atomic
def device_create(
    *,
    code: str,
    kind: str,
    point: models.Model | None = None,  # a sorting.CollectionPoint
    truck_plate: str = "",
    name: str = "",
    gateway: Device | None = None,
) -> tuple[Device, str]:
    """Register a device (docs/devices.md, registries); returns it and its token, which is
    shown only now."""
    key, prefix, digest = tokens.new_token()
    device = Device(
        code=code,
        kind=kind,
        point=point,
        truck_plate=truck_plate,
        name=name,
        gateway=gateway,
        token_prefix=prefix,
        token_hash=digest,
    )
    device.full_clean()
    device.save()
    return device, key


@transaction.atomic
def device_token_reset(*, device: Device) -> str:
    """Replace a device's token (a lost or leaked one); the old one stops working at once."""
    key, prefix, digest = tokens.new_token()
    Device.objects.filter(pk=device.pk).update(token_prefix=prefix, token_hash=digest)
    device.token_prefix, device.token_hash = prefix, digest
    return key


@transaction.atomic
def device_update(*, device: Device) -> Device:
    """Save a device's edited registry fields (name, place, gateway, vendor keys, enabled); the
    token and last-seen time are not touched here."""
    if device.vendor_keys is None:  # (a cleared form field)
        device.vendor_keys = {}
    device.full_clean()
    fields = ["code", "name", "kind", "point", "truck_plate", "gateway", "vendor_keys"]
    device.save(update_fields=[*fields, "is_active"])
    return device
