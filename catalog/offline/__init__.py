"""Offline desks: a device a librarian enabled for one library keeps that library's desk data
(copies, readers, open loans and holds, loan rules) and queues the desk's actions while the link
is down; the queue is applied later, once each, in order, through the same circulation and visit
services, with the actions' original times. What can no longer apply is kept as a conflict for
the librarian to decide.

- models.py: OfflineDevice, OfflineAction (one row per queued action, unique by its id), SyncReport.
- devices.py: enable, revoke, extend a device; the data a device downloads (the pack).
- queue.py: the signed queue (a device id, a JSON body and its HMAC), checked before anything applies.
- sync.py: applying a queue and resolving conflicts.
"""
