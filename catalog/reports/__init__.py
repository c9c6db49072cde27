"""The yearly figures the district reports, the plan's targets, and what they count."""
