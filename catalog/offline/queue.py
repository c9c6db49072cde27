"""The queue a device sends (over the link) or exports (a file carried by hand): one JSON object

    {"format": "hoclieu-offline-queue", "version": 1, "device": "<uuid>", "body": "<JSON text>",
     "hmac": "<hex HMAC-SHA256 of the body's UTF-8 bytes with the device's key>"}

The body is kept as the exact text that was signed (no re-serialisation can change what the HMAC
covers): {"device": "<uuid>", "exported_at": "...", "actions": [{"id", "seq", "kind", "at",
"staff", "card", "barcode", "count", "group", "batch"}, ...]}. Everything is checked before anything
applies; a problem is a QueueInvalid naming what is wrong, and nothing of that queue is applied."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import uuid

from catalog.db import MAX_INTEGER
from catalog.errors import N_, CatalogError
from catalog.offline.models import ActionKind

QUEUE_FORMAT = "hoclieu-offline-queue"
MAX_ACTIONS = 5000
MAX_COUNT = 1000
# Actions on a rotation batch: its receipt at a school, its return check at the origin.
BATCH_KINDS = (ActionKind.RECEIVE, ActionKind.FINISH_RECEIPT, ActionKind.BATCH_RETURN, ActionKind.FINISH_RETURN)


class QueueInvalid(CatalogError):
    """A queue (or queue file) that cannot be read or trusted; nothing of it was applied."""

    status = 400


@dataclasses.dataclass(frozen=True)
class QueuedAction:
    uid: str
    seq: int
    kind: ActionKind
    at: dt.datetime  # naive UTC
    staff_id: int
    card: str = ""
    barcode: str = ""
    count: int = 0
    group: str = ""
    batch: str = ""


@dataclasses.dataclass(frozen=True)
class Queue:
    device_uid: str
    actions: list[QueuedAction]


def sign(key: str, body: str) -> str:
    """The HMAC-SHA256 (hex) of a queue body with a device's key."""
    return hmac.new(key.encode("ascii"), body.encode("utf-8"), hashlib.sha256).hexdigest()


def envelope(device_uid: str, key: str, actions: list[dict], exported_at: str = "") -> dict:
    """A signed queue, as a device builds it (for tests, benchmarks and the centre's tools)."""
    body = json.dumps({"device": device_uid, "exported_at": exported_at, "actions": actions}, ensure_ascii=False)
    return {"format": QUEUE_FORMAT, "version": 1, "device": device_uid, "body": body, "hmac": sign(key, body)}


def read_envelope(raw: bytes | str | dict) -> tuple[str, str, str]:
    """(device id, body text, hmac) of a queue file or request body, or QueueInvalid saying why."""
    if isinstance(raw, dict):
        data = raw
    else:
        try:
            data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        except (UnicodeDecodeError, ValueError):
            raise QueueInvalid(N_("This is not an offline queue file: it is not JSON text. Export the queue again "
                                  "from the device's offline desk."), field="file") from None
    if not isinstance(data, dict) or data.get("format") != QUEUE_FORMAT:
        raise QueueInvalid(N_("This is not an offline queue file (it does not say “{format}”). Export the queue "
                              "from the device's offline desk and import that file."), format=QUEUE_FORMAT,
                           field="file")
    if data.get("version") != 1:
        raise QueueInvalid(N_("This queue file has version {version}; this server reads version 1."),
                           version=str(data.get("version"))[:20], field="file")
    device, body, mac = data.get("device"), data.get("body"), data.get("hmac")
    if not all(isinstance(v, str) and v for v in (device, body, mac)):
        raise QueueInvalid(N_("This queue file lacks its device id, its actions or its signature: it is damaged. "
                              "Export it again."), field="file")
    return device, body, mac


def verify(key: str, device_uid: str, body: str, mac: str) -> Queue:
    """Check the signature, then read and check every action; QueueInvalid names the first problem."""
    if not hmac.compare_digest(sign(key, body), mac.strip().lower()):
        raise QueueInvalid(N_("The signature of this queue does not match device {uid}: the file was changed after "
                              "it was exported, or it does not come from that device. Nothing was applied."),
                           uid=device_uid, field="file")
    try:
        data = json.loads(body)
    except ValueError:
        raise QueueInvalid(N_("The actions in this queue file cannot be read: it is damaged."), field="file") from None
    if not isinstance(data, dict) or data.get("device") != device_uid or not isinstance(data.get("actions"), list):
        raise QueueInvalid(N_("This queue names another device inside than outside: it is damaged."), field="file")
    actions = data["actions"]
    if len(actions) > MAX_ACTIONS:
        raise QueueInvalid(N_("This queue holds {count} actions, more than {limit} at once: sync more often, or "
                              "export in parts."), count=len(actions), limit=MAX_ACTIONS, field="file")
    read = [_action(entry, n) for n, entry in enumerate(actions, start=1)]
    if len({a.uid for a in read}) != len(read):
        raise QueueInvalid(N_("This queue holds the same action twice: it is damaged."), field="file")
    return Queue(device_uid, sorted(read, key=lambda a: a.seq))


def _action(entry: object, n: int) -> QueuedAction:
    def bad(what: str) -> QueueInvalid:
        return QueueInvalid(N_("Action {n} of the queue is not valid ({what}): the file is damaged."),
                            n=n, what=what, field="file")

    if not isinstance(entry, dict):
        raise bad("not an object")
    try:
        uid = str(uuid.UUID(str(entry.get("id", ""))))
    except ValueError:
        raise bad("id") from None
    try:
        kind = ActionKind(entry.get("kind"))
    except ValueError:
        raise bad("kind") from None
    seq, staff, count = entry.get("seq"), entry.get("staff"), entry.get("count", 0)
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INTEGER for v in (seq, staff, count)):
        raise bad("seq, staff or count")
    at = _time(entry.get("at"))
    if at is None:
        raise bad("at")
    card, barcode, group, batch = (entry.get(name, "") for name in ("card", "barcode", "group", "batch"))
    if not all(isinstance(v, str) and len(v) <= 64 for v in (card, barcode, group, batch)):
        raise bad("card, barcode, group or batch")
    if kind == ActionKind.CHECKOUT and not (card.strip() and barcode.strip()):
        raise bad("a loan needs a card and a barcode")
    if kind == ActionKind.CHECKIN and not barcode.strip():
        raise bad("a return needs a barcode")
    if kind == ActionKind.VISIT and not 1 <= count <= MAX_COUNT:
        raise bad("a visit count is 1 to 1000")
    if kind in BATCH_KINDS and not batch.strip():
        raise bad("a receipt names its batch")
    if kind in (ActionKind.RECEIVE, ActionKind.BATCH_RETURN) and not barcode.strip():
        raise bad("a receipt scan needs a barcode")
    return QueuedAction(uid, seq, kind, at, staff, card.strip(), barcode.strip(), count, group.strip(), batch.strip())


def _time(value: object) -> dt.datetime | None:
    """An ISO time from the device (JavaScript's toISOString, "…Z") as naive UTC."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
