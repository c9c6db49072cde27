"""Printed documents: labels and reader cards, handover records, the annual report."""
