"""People: accounts and roles, readers managed by staff, sign-in limits, who may act on what."""
