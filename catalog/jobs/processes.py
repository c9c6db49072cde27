"""Helper processes that never outlive their parent nor keep what they inherited.

A child forked or spawned for a job (the MARC decoder, the background indexer) calls
die_with_parent first: Linux kills it when its parent dies (kill -9 included), and it closes the
sockets it inherited (the web server's listening socket, database connections), so a restarted
server can bind its port and no lock or connection is held by an orphan."""
from __future__ import annotations

import ctypes
import os
import signal
import stat

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, *, close_sockets: bool = True) -> None:
    """In a child: be killed with the parent, and drop inherited sockets."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent-watch below still stops an orphan at start
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    if close_sockets:
        for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
            fd = int(name)
            try:
                if fd > 2 and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)
            except OSError:
                continue
