"""What every request goes through: sign-in and roles, security headers, assets, limits, usage counts."""
