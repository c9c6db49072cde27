"""Background jobs and their leases, rules run on a schedule, helper processes, bulk settings."""
