"""What an operator watches: health checks, the detail page, structured logs."""
