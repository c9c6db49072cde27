"""Circulation: loans, holds, transits and their events; loan rules; the desk's and reader's lists."""
