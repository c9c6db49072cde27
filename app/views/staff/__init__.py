"""The staff blueprint (/staff): cataloguing, copies, readers and accounts."""
