"""Helpers for offline-desk tests: a device for a library, and signed queues of actions."""
from __future__ import annotations

import datetime as dt
import uuid

from catalog.offline import devices
from catalog.offline.queue import envelope

from tests.catalog.test_circulation_support import NOW


def device_for(session, library, staff, now=NOW, days=7):
    device = devices.enable_device(session, library=library, staff=staff, now=now, days=days)
    session.commit()
    return device


def action(kind, at, staff, seq, **fields):
    """One queued action as the device writes it (JavaScript's toISOString time)."""
    return {"id": str(uuid.uuid4()), "seq": seq, "kind": kind,
            "at": at.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z"), "staff": staff.id,
            "card": fields.get("card", ""), "barcode": fields.get("barcode", ""), "count": fields.get("count", 0),
            "group": fields.get("group", ""), "batch": fields.get("batch", "")}


def queue(device, actions):
    return envelope(device.uid, device.key, actions)
